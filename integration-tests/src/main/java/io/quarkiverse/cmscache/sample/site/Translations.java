package io.quarkiverse.cmscache.sample.site;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.sample.content.Translation;
import io.quarkus.arc.Unremovable;

/**
 * Translations, one entry per handle and language: editing the German text of a handle re-renders the German pages
 * that use it, and no English or French one.
 */
@ApplicationScoped
@Unremovable // looked up by the cms: template functions, never injected
public class Translations {

    @Inject
    Loads loads;

    /**
     * @return the text, or {@code null} when there is none (it renders as nothing); cached as
     *         {@code translation:<site>:<handle>:<lang>}
     */
    @CmsCached(region = "translation")
    public String text(@CmsKey String siteId, @CmsKey String handle, @CmsKey String lang) {
        loads.record("translation:" + siteId + ":" + handle + ":" + lang);
        Translation translation = Translation
                .find("siteId = ?1 and handle = ?2 and language = ?3", siteId, handle, lang).firstResult();
        return translation == null ? null : translation.text;
    }
}
