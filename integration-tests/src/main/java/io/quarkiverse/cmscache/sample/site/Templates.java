package io.quarkiverse.cmscache.sample.site;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.sample.content.Template;
import io.quarkiverse.cmscache.sample.site.Views.PageView;
import io.quarkiverse.cmscache.sample.site.Views.TemplateView;
import io.quarkus.qute.Engine;

/**
 * Templates, and the parsed Qute templates of layouts and page contents. Parsing costs more than rendering, so
 * parsed templates are cached too -- in each instance's memory only ({@code template-ast} and {@code content-ast}
 * are regions without Redis, since a parsed template is not JSON). They depend on the text they were parsed from, so
 * an edit still reaches them on every instance.
 */
@ApplicationScoped
public class Templates {

    @Inject
    Engine engine;

    @Inject
    Pages pages;

    @Inject
    Loads loads;

    /**
     * @return the template, whatever its status, or {@code null}; cached as {@code template:<id>}
     */
    @CmsCached(region = "template")
    public TemplateView template(@CmsKey String id) {
        loads.record("template:" + id);
        Template template = Template.findById(id);
        return template == null ? null : new TemplateView(template.id, template.siteId, template.content, template.status);
    }

    /**
     * @return the layout, parsed, or {@code null}; cached as {@code template-ast:<id>}
     */
    @CmsCached(region = "template-ast")
    public io.quarkus.qute.Template layout(@CmsKey String id) {
        TemplateView template = template(id);
        return template == null ? null : parse(template.content());
    }

    /**
     * @return the page's content, parsed, or {@code null}; cached as {@code content-ast:<page id>}
     */
    @CmsCached(region = "content-ast")
    public io.quarkus.qute.Template content(@CmsKey String pageId) {
        PageView page = pages.page(pageId);
        return page == null ? null : parse(page.content());
    }

    /**
     * Parses content written in Qute or with the Go CMS Store's placeholders.
     *
     * @throws io.quarkus.qute.TemplateException if it is not a valid template
     */
    public io.quarkus.qute.Template parse(String content) {
        return engine.parse(GoPlaceholders.toQute(content));
    }
}
