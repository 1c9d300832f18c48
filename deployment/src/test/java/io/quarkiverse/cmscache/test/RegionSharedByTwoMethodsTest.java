package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Identity: an entry key names one computation, so two {@code @CmsCached} methods naming one region would answer for
 * each other ({@code html("header")} and {@code title("header")} are both {@code block:header}). The build fails
 * with a message naming the region, both methods and the remedy; a region with one method is not reported.
 */
public class RegionSharedByTwoMethodsTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Blocks.class, Pages.class, Previews.class))
            .assertException(RegionSharedByTwoMethodsTest::namesTheRegionAndBothMethods);

    static void namesTheRegionAndBothMethods(Throwable failure) {
        StartupFailures.assertNames(failure,
                "region 'block'",
                "RegionSharedByTwoMethodsTest$Blocks#html(java.lang.String)",
                "RegionSharedByTwoMethodsTest$Blocks#title(java.lang.String)",
                "Give each method its own region",
                "one @CmsInvalidate per region",
                "@CmsCached(region = \"block-html\") and @CmsCached(region = \"block-title\")",
                // Across classes too.
                "region 'page'",
                "RegionSharedByTwoMethodsTest$Pages#render(java.lang.String)",
                "RegionSharedByTwoMethodsTest$Previews#render(java.lang.String)");
        String messages = StartupFailures.messages(failure);
        assertFalse(messages.contains("region 'teaser'"), () -> "a region with one method was reported:\n" + messages);
    }

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @ApplicationScoped
    static class Blocks {
        @CmsCached(region = "block")
        String html(String id) {
            return "<p>" + id + "</p>";
        }

        @CmsCached(region = "block")
        String title(String id) {
            return id;
        }

        @CmsCached(region = "teaser")
        String teaser(String id) {
            return id;
        }
    }

    @ApplicationScoped
    static class Pages {
        @CmsCached(region = "page")
        String render(String id) {
            return id;
        }
    }

    @ApplicationScoped
    static class Previews {
        @CmsCached(region = "page")
        String render(String id) {
            return "preview of " + id;
        }
    }
}
