package io.quarkiverse.cmscache.sample.site;

import java.util.List;

import io.quarkiverse.cmscache.sample.content.Status;
import io.quarkus.qute.TemplateData;

/**
 * What the cache stores and the templates see of the content: plain records, written to Redis as JSON.
 */
public final class Views {

    private Views() {
    }

    @TemplateData
    public record SiteView(String id, String name, List<String> endpoints, List<String> languages,
            String notFoundAlias) {

        public String defaultLanguage() {
            return languages.isEmpty() ? "en" : languages.get(0);
        }
    }

    @TemplateData
    public record PageView(String id, String siteId, String alias, String title, String content, String templateId,
            Status status, String metaDescription) {
    }

    public record TemplateView(String id, String siteId, String content, Status status) {
    }

    @TemplateData
    public record MenuView(String id, List<MenuLink> links) {
    }

    @TemplateData
    public record MenuLink(String href, String title) {
    }
}
