package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.arc.Arc;
import io.quarkus.qute.Engine;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateExtension;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * {@code {#cms-cached}} caches a rendered fragment in both levels, with the dependencies of what it rendered, and
 * becomes a dependency of the page rendered around it -- also for templates parsed at run time.
 */
public class QuteSectionTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, Blocks.class,
                    Pages.class, BlockExtensions.class));

    @Inject
    Blocks blocks;

    @Inject
    Pages pages;

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @Inject
    Vertx vertx;

    @Test
    void fragmentIsCachedWithItsDependencies() {
        Template template = pages.parse("<nav>{#cms-cached key=name}<b>{cms:block('hero')}</b>{/cms-cached}</nav>");

        assertEquals("<nav><b>[hero v1]</b></nav>", template.data("name", "menu-en").render());
        assertEquals("<nav><b>[hero v1]</b></nav>", template.data("name", "menu-en").render());
        assertEquals(1, blocks.loads("hero"));
        assertTrue(cache.dependents("block:hero").contains("fragment:menu-en"), cache.dependents("block:hero")::toString);

        blocks.save("hero");

        assertEquals("<nav><b>[hero v2]</b></nav>", template.data("name", "menu-en").render());
        CmsCacheEngine other = instances.start();
        try {
            assertEquals("<b>[hero v2]</b>", other.get("fragment", "menu-en", String.class, () -> "not from Redis"),
                    "the fragment is shared through Redis");
        } finally {
            other.close();
        }
    }

    @Test
    void fragmentBecomesADependencyOfThePageAroundIt() {
        String page = pages.render("home");
        assertEquals("<page><aside>[footer v1]</aside></page>", page);
        assertTrue(cache.dependents("fragment:aside").contains("page:home"));
        assertTrue(cache.dependents("block:footer").contains("page:home"), "through the fragment");

        blocks.save("footer");

        assertEquals("<page><aside>[footer v2]</aside></page>", pages.render("home"));
    }

    @Test
    void regionAndListKeysCanBeChosen() {
        Template template = pages.parse("{#cms-cached key=parts region='aside'}{cms:block('legal')}{/cms-cached}");
        assertEquals("[legal v1]", template.data("parts", java.util.List.of("legal", "de")).render());
        assertTrue(cache.dependents("block:legal").contains("aside:legal:de"), cache.dependents("block:legal")::toString);
    }

    @Test
    void fragmentRenderedOnAnEventLoopIsCachedWithoutBlocking() throws Exception {
        Template template = pages.parse("{#cms-cached key='async'}<i>{cms:block('async')}</i>{/cms-cached}");
        CompletableFuture<String> rendered = new CompletableFuture<>();

        vertx.getOrCreateContext().runOnContext(ignored -> {
            assertTrue(Context.isOnEventLoopThread());
            template.instance().renderAsync().whenComplete((html, failure) -> {
                if (failure != null) {
                    rendered.completeExceptionally(failure);
                } else {
                    rendered.complete(html);
                }
            });
        });

        assertEquals("<i>[async v1]</i>", rendered.get(10, TimeUnit.SECONDS));
        assertTrue(cache.dependents("block:async").contains("fragment:async"));
        assertEquals("<i>[async v1]</i>", template.render(), "and cached");
        assertEquals(1, blocks.loads("async"));
    }

    @ApplicationScoped
    public static class Blocks {
        final Map<String, AtomicInteger> versions = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();

        @CmsCached(region = "block")
        public String html(@CmsKey String id) {
            loads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            return "[" + id + " v" + versions.computeIfAbsent(id, k -> new AtomicInteger(1)).get() + "]";
        }

        @CmsInvalidate(region = "block")
        public void save(String id) {
            versions.computeIfAbsent(id, k -> new AtomicInteger(1)).incrementAndGet();
        }

        int loads(String id) {
            return loads.getOrDefault(id, new AtomicInteger()).get();
        }
    }

    @TemplateExtension(namespace = "cms")
    public static class BlockExtensions {
        public static String block(String id) {
            return Arc.container().instance(Blocks.class).get().html(id);
        }
    }

    @ApplicationScoped
    public static class Pages {
        @Inject
        Engine engine;

        Template parse(String content) {
            return engine.parse(content);
        }

        @CmsCached(region = "page")
        public String render(String id) {
            return parse("<page>{#cms-cached key='aside'}<aside>{cms:block('footer')}</aside>{/cms-cached}</page>")
                    .render();
        }
    }
}
