package io.quarkiverse.cmscache.sample.seed;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.sample.content.Block;
import io.quarkiverse.cmscache.sample.content.Menu;
import io.quarkiverse.cmscache.sample.content.Page;
import io.quarkiverse.cmscache.sample.content.Site;
import io.quarkiverse.cmscache.sample.content.Status;
import io.quarkiverse.cmscache.sample.content.Template;
import io.quarkiverse.cmscache.sample.content.Translation;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;

/**
 * The demo content: a site on {@code localhost} with pages on two templates (one written in Qute, one with the Go CMS
 * Store's placeholders), shared header and footer blocks, a per-page block, a menu and translations in English,
 * German and French; and a second site under {@code localhost/blog}. Loaded when the database is empty.
 */
@ApplicationScoped
public class SeedData {

    /** Every region of the sample, cleared after a reset. */
    static final List<String> REGIONS = List.of("site", "page", "route", "block", "translation", "menu", "template",
            "template-ast", "content-ast", "rendered", "fragment");

    @Inject
    CmsCache cache;

    void loadWhenEmpty(@Observes StartupEvent event) {
        QuarkusTransaction.requiringNew().run(() -> {
            if (Site.count() == 0) {
                insert();
            }
        });
    }

    /**
     * Replaces all content with the demo content and, once committed, drops every cached entry on every instance.
     */
    @Transactional
    public void reset() {
        // Entity by entity, so that element collections (endpoints, menu items) go with their owners.
        EntityManager em = Panache.getEntityManager();
        for (Class<?> type : List.of(Menu.class, Page.class, Template.class, Block.class, Translation.class,
                Site.class)) {
            em.createQuery("from " + type.getSimpleName(), type).getResultList().forEach(em::remove);
        }
        em.flush();
        insert();
        cache.invalidateTags(REGIONS.stream().map(region -> "@" + region).toList());
    }

    private void insert() {
        site("demo", "CMS Cache demo", List.of("localhost", "127.0.0.1", "example.com"), List.of("en", "de", "fr"));
        site("blog", "CMS Cache blog", List.of("localhost/blog", "127.0.0.1/blog", "example.com/blog"), List.of("en"));

        template("main", "demo", Status.ACTIVE, """
                <!DOCTYPE html>
                <html lang="{lang}">
                <head><title>{page.title} | {site.name}</title>
                <meta name="description" content="{page.metaDescription ?: ''}"></head>
                <body>
                {cms:block('header')}
                {#cms-cached key=str:concat('menu-main-', lang)}
                <nav>{#for link in cms:menu('main').links}<a href="{link.href}">{link.title}</a> {/for}</nav>
                {/cms-cached}
                <main>{content}</main>
                <p class="note">{cms:t('footer-note')}</p>
                {cms:block('footer')}
                </body>
                </html>""");
        template("landing", "demo", Status.ACTIVE, """
                <!DOCTYPE html>
                <html>
                <head><title>[[PageTitle]]</title><meta name="description" content="[[PageMetaDescription]]"></head>
                <body>
                [[BLOCK_header]]
                <section class="promo">[[BLOCK_promo]]</section>
                <main>[[PageContent]]</main>
                <p class="note">[[TRANSLATION_footer-note]]</p>
                [[BLOCK_footer]]
                </body>
                </html>""");
        template("experimental", "demo", Status.DRAFT, "<!DOCTYPE html><h1>Experimental</h1>{content}");
        template("blog-main", "blog", Status.ACTIVE,
                "<!DOCTYPE html><html><head><title>{page.title}</title></head><body>{cms:block('blog-header')}"
                        + "<article>{content}</article></body></html>");

        block("header", "demo", "<header><a href=\"/\">CMS Cache demo</a></header>", Status.ACTIVE);
        block("footer", "demo", "<footer>Served from the Quarkus CMS cache</footer>", Status.ACTIVE);
        block("team", "demo", "<p>We are Ana, Ben and Chlo\u00e9.</p>", Status.ACTIVE);
        block("promo", "demo", "<div>Spring offer: everything cached, nothing stale.</div>", Status.ACTIVE);
        block("teaser", "demo", "<div>Coming soon</div>", Status.DRAFT);
        block("blog-header", "blog", "<header>The blog</header>", Status.ACTIVE);

        translation("welcome", "Welcome", "Willkommen", "Bienvenue");
        translation("about-intro", "Who we are", "Wer wir sind", "Qui nous sommes");
        translation("footer-note", "Thanks for visiting", "Danke f\u00fcr Ihren Besuch", "Merci de votre visite");

        page("home", "demo", "/", "Home", "main", Status.ACTIVE,
                "<h1>{cms:t('welcome')}</h1><p>This page is rendered from cached blocks.</p>");
        page("about", "demo", "/about", "About us", "main", Status.ACTIVE,
                "<h1>{page.title}</h1><p>{cms:t('about-intro')}</p>{cms:block('team')}");
        page("contact", "demo", "/contact", "Contact", "landing", Status.ACTIVE,
                "<p>Write to us at hello@example.com.</p>");
        page("member", "demo", "/user/:num", "Member", "main", Status.ACTIVE, "<p>A member's profile.</p>");
        page("draft", "demo", "/draft", "Work in progress", "main", Status.DRAFT, "<p>Not ready yet.</p>");
        page("retired", "demo", "/retired", "Old news", "main", Status.INACTIVE, "<p>Gone.</p>");
        page("lab", "demo", "/lab", "Lab", "experimental", Status.ACTIVE, "<p>On a draft template.</p>");
        page("not-found", "demo", "/404", "Not found", "main", Status.ACTIVE, "<h1>Page not found</h1>");
        page("blog-home", "blog", "/", "Blog", "blog-main", Status.ACTIVE, "<p>First post.</p>");

        Menu menu = new Menu();
        menu.id = "main";
        menu.siteId = "demo";
        menu.items = new ArrayList<>(List.of(new Menu.Item("home"), new Menu.Item("about"), new Menu.Item("contact")));
        menu.persist();
    }

    private static void site(String id, String name, List<String> endpoints, List<String> languages) {
        Site site = new Site();
        site.id = id;
        site.name = name;
        site.endpoints = new ArrayList<>(endpoints);
        site.languages = new ArrayList<>(languages);
        site.notFoundAlias = "/404";
        site.persist();
    }

    private static void template(String id, String siteId, Status status, String content) {
        Template template = new Template();
        template.id = id;
        template.siteId = siteId;
        template.name = id;
        template.status = status;
        template.content = content;
        template.persist();
    }

    private static void block(String id, String siteId, String content, Status status) {
        Block block = new Block();
        block.id = id;
        block.siteId = siteId;
        block.name = id;
        block.content = content;
        block.status = status;
        block.persist();
    }

    private static void translation(String handle, String en, String de, String fr) {
        for (String[] text : List.of(new String[] { "en", en }, new String[] { "de", de }, new String[] { "fr", fr })) {
            Translation translation = new Translation();
            translation.siteId = "demo";
            translation.handle = handle;
            translation.language = text[0];
            translation.text = text[1];
            translation.persist();
        }
    }

    private static void page(String id, String siteId, String alias, String title, String templateId, Status status,
            String content) {
        Page page = new Page();
        page.id = id;
        page.siteId = siteId;
        page.alias = alias;
        page.title = title;
        page.templateId = templateId;
        page.status = status;
        page.content = content;
        page.metaDescription = title + " - the Quarkus CMS cache demo";
        page.persist();
    }
}
