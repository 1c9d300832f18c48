package io.quarkiverse.cmscache.sample.content;

/**
 * The life cycle of pages, templates and blocks. Only {@code ACTIVE} content is ever served; drafts are seen only in
 * editors' previews, which bypass the cache.
 */
public enum Status {
    DRAFT,
    ACTIVE,
    INACTIVE
}
