package io.quarkiverse.cmscache.sample.site;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.sample.content.Menu;
import io.quarkiverse.cmscache.sample.content.Status;
import io.quarkiverse.cmscache.sample.site.Views.MenuLink;
import io.quarkiverse.cmscache.sample.site.Views.MenuView;
import io.quarkiverse.cmscache.sample.site.Views.PageView;
import io.quarkus.arc.Unremovable;

/**
 * Menus. A menu reads the titles of its pages through {@link Pages}, so it depends on them: renaming a page evicts
 * the menus showing it, and with them every page showing those menus.
 */
@ApplicationScoped
@Unremovable // looked up by the cms: template functions, never injected
public class Menus {

    @Inject
    Pages pages;

    @Inject
    Loads loads;

    /**
     * @return the menu's links to active pages, or {@code null}; cached as {@code menu:<id>}
     */
    @CmsCached(region = "menu")
    public MenuView menu(@CmsKey String id) {
        loads.record("menu:" + id);
        Menu menu = Menu.findById(id);
        if (menu == null) {
            return null;
        }
        List<MenuLink> links = new ArrayList<>();
        for (Menu.Item item : menu.items) {
            PageView page = pages.page(item.pageId);
            if (page != null && page.status() == Status.ACTIVE) {
                links.add(new MenuLink(page.alias(), page.title()));
            }
        }
        return new MenuView(id, links);
    }
}
