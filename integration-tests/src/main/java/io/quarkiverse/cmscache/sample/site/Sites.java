package io.quarkiverse.cmscache.sample.site;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.sample.content.Site;
import io.quarkiverse.cmscache.sample.site.Views.SiteView;

/**
 * The sites and how a request finds its site: by host, then by the longest endpoint that prefixes the path, as the Go
 * CMS Store does.
 */
@ApplicationScoped
public class Sites {

    /** Invalidated when any site changes. */
    public static final String TAG = "site";

    @Inject
    Loads loads;

    /**
     * @return every site; cached as {@code site}
     */
    @CmsCached(region = "site")
    public List<SiteView> all() {
        loads.record("site");
        return Site.<Site> listAll().stream()
                .map(s -> new SiteView(s.id, s.name, List.copyOf(s.endpoints), List.copyOf(s.languages), s.notFoundAlias))
                .toList();
    }

    /**
     * @return the site, or {@code null}
     */
    public SiteView byId(String id) {
        return all().stream().filter(site -> site.id().equals(id)).findFirst().orElse(null);
    }

    /**
     * A site found for a request, and the path within it.
     *
     * @param site the site
     * @param path the request path without the endpoint's path prefix, starting with {@code /}
     */
    public record Match(SiteView site, String path) {
    }

    /**
     * @param host the {@code Host} header, with or without a port
     * @param path the request path, starting with {@code /}
     * @return the site whose longest endpoint matches, or {@code null}
     */
    public Match match(String host, String path) {
        String hostname = host == null ? "" : host.replaceFirst(":\\d+$", "").toLowerCase();
        Match best = null;
        int bestLength = -1;
        for (SiteView site : all()) {
            for (String endpoint : site.endpoints()) {
                int slash = endpoint.indexOf('/');
                String endpointHost = slash < 0 ? endpoint : endpoint.substring(0, slash);
                String prefix = slash < 0 ? "" : endpoint.substring(slash);
                boolean matches = endpointHost.equalsIgnoreCase(hostname)
                        && (prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + "/"));
                if (matches && endpoint.length() > bestLength) {
                    String rest = path.substring(prefix.length());
                    best = new Match(site, rest.isEmpty() ? "/" : rest);
                    bestLength = endpoint.length();
                }
            }
        }
        return best;
    }
}
