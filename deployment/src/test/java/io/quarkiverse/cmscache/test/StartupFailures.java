package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the message of a failed build or start-up, through its causes and suppressed exceptions.
 */
public final class StartupFailures {

    private StartupFailures() {
    }

    public static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
            for (Throwable suppressed : t.getSuppressed()) {
                all.append(suppressed.getMessage()).append('\n');
            }
        }
        return all.toString();
    }

    public static void assertNames(Throwable failure, String... parts) {
        String all = messages(failure);
        for (String part : parts) {
            assertTrue(all.contains(part), () -> "missing '" + part + "' in:\n" + all);
        }
    }
}
