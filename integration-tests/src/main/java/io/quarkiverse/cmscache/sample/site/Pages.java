package io.quarkiverse.cmscache.sample.site;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsDependencies;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.sample.content.Page;
import io.quarkiverse.cmscache.sample.content.Status;
import io.quarkiverse.cmscache.sample.site.Views.PageView;

/**
 * Pages, and which page an alias names.
 */
@ApplicationScoped
public class Pages {

    @Inject
    Loads loads;

    /**
     * @return the tag of a site's aliases: invalidated whenever one of its pages is created, changed or deleted
     */
    public static String routesTag(String siteId) {
        return CmsCache.tag("routes", siteId);
    }

    /**
     * @return the page, whatever its status, or {@code null}; cached as {@code page:<id>}
     */
    @CmsCached(region = "page")
    public PageView page(@CmsKey String id) {
        loads.record("page:" + id);
        Page page = Page.findById(id);
        return page == null ? null
                : new PageView(page.id, page.siteId, page.alias, page.title, page.content, page.templateId, page.status,
                        page.metaDescription);
    }

    /**
     * Finds the active page of a site that a path names: by alias exactly, then with or without the leading slash,
     * then by patterns such as {@code /user/:num} ({@code :num} matches digits, any other {@code :name} one path
     * segment). Unknown paths are cached too (as a negative entry), so that a flood of them does not reach the
     * database.
     *
     * @return the page id, or {@code null}; cached as {@code route:<site>:<path>}
     */
    @CmsCached(region = "route")
    public String route(@CmsKey String siteId, @CmsKey String path) {
        loads.record("route:" + siteId + ":" + path);
        CmsDependencies.add(routesTag(siteId));
        List<Page> candidates = Page.list("siteId = ?1 and status = ?2", siteId, Status.ACTIVE);
        String bare = path.startsWith("/") ? path.substring(1) : path;
        for (Page page : candidates) {
            if (page.alias.equals(path)) {
                return page.id;
            }
        }
        for (Page page : candidates) {
            if (page.alias.equals(bare) || page.alias.equals("/" + bare)) {
                return page.id;
            }
        }
        for (Page page : candidates) {
            if (page.alias.contains(":") && matchesPattern(page.alias, path)) {
                return page.id;
            }
        }
        return null;
    }

    static boolean matchesPattern(String alias, String path) {
        String[] pattern = trim(alias).split("/");
        String[] segments = trim(path).split("/");
        if (pattern.length != segments.length) {
            return false;
        }
        for (int i = 0; i < pattern.length; i++) {
            String expected = pattern[i];
            String actual = segments[i];
            if (expected.equals(":num")) {
                if (actual.isEmpty() || !actual.chars().allMatch(Character::isDigit)) {
                    return false;
                }
            } else if (expected.startsWith(":")) {
                if (actual.isEmpty()) {
                    return false;
                }
            } else if (!expected.equals(actual)) {
                return false;
            }
        }
        return true;
    }

    private static String trim(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }
}
