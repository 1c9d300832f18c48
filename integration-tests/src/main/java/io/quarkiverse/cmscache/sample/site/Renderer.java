package io.quarkiverse.cmscache.sample.site;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.sample.content.Status;
import io.quarkiverse.cmscache.sample.site.Views.PageView;
import io.quarkiverse.cmscache.sample.site.Views.SiteView;
import io.quarkiverse.cmscache.sample.site.Views.TemplateView;
import io.quarkus.qute.RawString;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;

/**
 * Renders pages: the page's content, then its layout around it. The rendered page is cached per site, page and
 * language, and depends on everything it used -- the page, its template, every block, translation, menu and fragment
 * -- without a line of bookkeeping here.
 */
@ApplicationScoped
public class Renderer {

    @Inject
    Sites sites;

    @Inject
    Pages pages;

    @Inject
    Templates templates;

    @Inject
    Loads loads;

    /**
     * @return the page in that language, or {@code null} if it or its template is not active; cached as
     *         {@code rendered:<site>:<page>:<lang>}
     */
    @CmsCached(region = "rendered")
    public String render(@CmsKey String siteId, @CmsKey String pageId, @CmsKey String lang) {
        loads.record("rendered:" + pageId + ":" + lang);
        return render(sites.byId(siteId), pageId, lang, false);
    }

    /**
     * Renders a page as an editor previews it, drafts included. Call it in a request that bypasses the cache.
     */
    public String preview(SiteView site, String pageId, String lang) {
        return render(site, pageId, lang, true);
    }

    private String render(SiteView site, String pageId, String lang, boolean drafts) {
        PageView page = pages.page(pageId);
        if (site == null || page == null || !(drafts || page.status() == Status.ACTIVE)) {
            return null;
        }
        TemplateView template = templates.template(page.templateId());
        if (template == null || !(drafts || template.status() == Status.ACTIVE)) {
            return null;
        }
        Template content = templates.content(pageId);
        String body = data(content.instance(), site, page, lang).render();
        return data(templates.layout(page.templateId()).instance(), site, page, lang)
                .data("content", new RawString(body)).render();
    }

    private static TemplateInstance data(TemplateInstance instance, SiteView site, PageView page, String lang) {
        return instance.data("site", site).data("page", page).data("lang", lang)
                .setAttribute(CmsFunctions.SITE, site.id()).setAttribute(CmsFunctions.LANG, lang);
    }
}
