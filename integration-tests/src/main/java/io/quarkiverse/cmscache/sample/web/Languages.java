package io.quarkiverse.cmscache.sample.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.quarkiverse.cmscache.sample.site.Views.SiteView;

/**
 * Chooses the language of a response as the Go CMS Store does: {@code ?lang=}, then the best of
 * {@code Accept-Language} the site has, then the site's default.
 */
final class Languages {

    private Languages() {
    }

    static String choose(SiteView site, String requested, String acceptLanguage) {
        if (requested != null && site.languages().contains(requested.toLowerCase(Locale.ROOT))) {
            return requested.toLowerCase(Locale.ROOT);
        }
        if (acceptLanguage != null && !acceptLanguage.isBlank()) {
            try {
                List<Locale.LanguageRange> ranges = Locale.LanguageRange.parse(acceptLanguage);
                List<Locale> offered = new ArrayList<>();
                site.languages().forEach(l -> offered.add(Locale.forLanguageTag(l)));
                Locale best = Locale.lookup(ranges, offered);
                if (best != null) {
                    return best.getLanguage();
                }
            } catch (IllegalArgumentException e) {
                // A malformed header is ignored, as if absent.
            }
        }
        return site.defaultLanguage();
    }
}
