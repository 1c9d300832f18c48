package io.quarkiverse.cmscache.sample.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.sample.content.Block;
import io.quarkiverse.cmscache.sample.content.Page;
import io.quarkiverse.cmscache.sample.content.Status;
import io.quarkiverse.cmscache.sample.content.Template;
import io.quarkiverse.cmscache.sample.content.Translation;
import io.quarkiverse.cmscache.sample.site.Pages;
import io.quarkiverse.cmscache.sample.site.Templates;

/**
 * Every change editors make, each in a transaction that invalidates after it commits: exactly the entries that
 * showed the changed content, on every instance, and nothing else.
 */
@ApplicationScoped
public class ContentEditor {

    @Inject
    CmsCache cache;

    @Inject
    Templates templates;

    public record BlockInput(String siteId, String name, String content, Status status) {
    }

    public record PageInput(String siteId, String alias, String title, String content, String templateId,
            Status status, String metaDescription) {
    }

    public record TemplateInput(String siteId, String name, String content, Status status) {
    }

    public record TranslationInput(String text) {
    }

    @Transactional
    @CmsInvalidate(region = "block", keys = "id")
    public Block saveBlock(String id, BlockInput input) {
        Block block = Block.findById(id);
        if (block == null) {
            block = new Block();
            block.id = id;
        }
        block.siteId = input.siteId();
        block.name = input.name();
        block.content = input.content();
        block.status = input.status() == null ? Status.ACTIVE : input.status();
        block.persist();
        return block;
    }

    @Transactional
    @CmsInvalidate(region = "block", keys = "id")
    public boolean deleteBlock(String id) {
        return Block.deleteById(id);
    }

    @Transactional
    @CmsInvalidate(region = "page", keys = "id")
    public Page savePage(String id, PageInput input) {
        checkTemplate(input.content());
        Page page = Page.findById(id);
        if (page == null) {
            page = new Page();
            page.id = id;
        } else if (!page.siteId.equals(input.siteId())) {
            cache.invalidateTags(Pages.routesTag(page.siteId));
        }
        page.siteId = input.siteId();
        page.alias = input.alias();
        page.title = input.title();
        page.content = input.content();
        page.templateId = input.templateId();
        page.status = input.status() == null ? Status.DRAFT : input.status();
        page.metaDescription = input.metaDescription();
        page.persist();
        // The alias or status may have changed: the site's routes must be looked up again.
        cache.invalidateTags(Pages.routesTag(page.siteId));
        return page;
    }

    @Transactional
    @CmsInvalidate(region = "page", keys = "id")
    public boolean deletePage(String id) {
        Page page = Page.findById(id);
        if (page == null) {
            return false;
        }
        cache.invalidateTags(Pages.routesTag(page.siteId));
        page.delete();
        return true;
    }

    @Transactional
    @CmsInvalidate(region = "template", keys = "id")
    public Template saveTemplate(String id, TemplateInput input) {
        checkTemplate(input.content());
        Template template = Template.findById(id);
        if (template == null) {
            template = new Template();
            template.id = id;
        }
        template.siteId = input.siteId();
        template.name = input.name();
        template.content = input.content();
        template.status = input.status() == null ? Status.DRAFT : input.status();
        template.persist();
        return template;
    }

    @Transactional
    @CmsInvalidate(region = "template", keys = "id")
    public boolean deleteTemplate(String id) {
        return Template.deleteById(id);
    }

    @Transactional
    @CmsInvalidate(region = "translation", keys = { "siteId", "handle", "lang" })
    public Translation saveTranslation(String siteId, String handle, String lang, TranslationInput input) {
        Translation translation = Translation
                .find("siteId = ?1 and handle = ?2 and language = ?3", siteId, handle, lang).firstResult();
        if (translation == null) {
            translation = new Translation();
            translation.siteId = siteId;
            translation.handle = handle;
            translation.language = lang;
        }
        translation.text = input.text();
        translation.persist();
        return translation;
    }

    @Transactional
    @CmsInvalidate(region = "translation", keys = { "siteId", "handle", "lang" })
    public boolean deleteTranslation(String siteId, String handle, String lang) {
        return Translation.delete("siteId = ?1 and handle = ?2 and language = ?3", siteId, handle, lang) > 0;
    }

    /**
     * Refuses content that does not parse, before anything is stored.
     */
    private void checkTemplate(String content) {
        try {
            templates.parse(content);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Not a valid template: " + e.getMessage(), e);
        }
    }
}
