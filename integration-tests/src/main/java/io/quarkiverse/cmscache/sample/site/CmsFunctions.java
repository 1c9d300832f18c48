package io.quarkiverse.cmscache.sample.site;

import io.quarkiverse.cmscache.sample.site.Views.MenuView;
import io.quarkus.arc.Arc;
import io.quarkus.qute.RawString;
import io.quarkus.qute.TemplateExtension;
import io.quarkus.qute.TemplateExtension.TemplateAttribute;

/**
 * The {@code cms:} namespace of the site's templates. Each function reads through a cached service, so whatever a
 * template shows becomes a dependency of the page being rendered.
 *
 * <pre>
 * {cms:block('header')}       the block's HTML ("" if there is no active block)
 * {cms:t('welcome')}          the translation in the page's language ("" if there is none)
 * {cms:menu('main').links}    the menu's links (href, title)
 * </pre>
 */
@TemplateExtension(namespace = "cms")
public class CmsFunctions {

    /** Template attribute: the site being rendered. */
    public static final String SITE = "site";
    /** Template attribute: the language being rendered. */
    public static final String LANG = "lang";

    static RawString block(String id) {
        String html = Arc.container().instance(Blocks.class).get().html(id);
        return new RawString(html == null ? "" : html);
    }

    static String t(String handle, @TemplateAttribute(SITE) Object site, @TemplateAttribute(LANG) Object lang) {
        String text = Arc.container().instance(Translations.class).get().text((String) site, handle, (String) lang);
        return text == null ? "" : text;
    }

    static MenuView menu(String id) {
        MenuView menu = Arc.container().instance(Menus.class).get().menu(id);
        return menu == null ? new MenuView(id, java.util.List.of()) : menu;
    }
}
