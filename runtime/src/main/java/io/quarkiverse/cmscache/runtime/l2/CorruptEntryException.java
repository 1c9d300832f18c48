package io.quarkiverse.cmscache.runtime.l2;

/**
 * A value stored in Redis that cannot be read back: written by another format or key version, or by a class whose
 * shape changed since. The read path treats it as a miss and deletes it.
 */
public final class CorruptEntryException extends Exception {

    public CorruptEntryException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
