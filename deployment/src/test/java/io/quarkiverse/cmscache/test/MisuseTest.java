package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Every misuse of the annotations fails the build with a message naming the method and what to do.
 */
public class MisuseTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Misused.class, NotABean.class,
                    AnnotatedClass.class, Opaque.class))
            .assertException(MisuseTest::reportsEveryMisuse);

    static void reportsEveryMisuse(Throwable failure) {
        String message = StartupFailures.messages(failure);
        List<String> expected = List.of(
                "Misused#nothing(java.lang.String) is @CmsCached but returns void",
                "Misused#stream(java.lang.String) is @CmsCached but returns io.smallrye.mutiny.Multi",
                "Misused#done(java.lang.String) is @CmsCached but returns io.smallrye.mutiny.Uni<java.lang.Void>",
                "Misused#save(java.lang.String, java.lang.String) names the key parameter 'idd'",
                "Misused#both(java.lang.String) has both @CmsCached and @CmsInvalidate",
                "Misused#badRegion(java.lang.String) names the region 'a:b'",
                "Misused#byOpaque(io.quarkiverse.cmscache.test.MisuseTest$Opaque) has the key parameter 0",
                "Misused#byArray(java.lang.String[]) has the array key parameter 0",
                "NotABean#html(java.lang.String) is in io.quarkiverse.cmscache.test.MisuseTest$NotABean, which is not a CDI bean",
                "@CmsCached is not supported on a class (io.quarkiverse.cmscache.test.MisuseTest$AnnotatedClass)");
        for (String part : expected) {
            assertTrue(message.contains(part), () -> "missing '" + part + "' in:\n" + message);
        }
    }

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    static class Opaque {
        final String id = "x";
    }

    @ApplicationScoped
    static class Misused {

        @CmsCached(region = "block")
        void nothing(String id) {
        }

        @CmsCached(region = "block")
        Multi<String> stream(String id) {
            return Multi.createFrom().item(id);
        }

        @CmsCached(region = "block")
        Uni<Void> done(String id) {
            return Uni.createFrom().voidItem();
        }

        @CmsInvalidate(region = "block", keys = "idd")
        void save(String id, String html) {
        }

        @CmsCached(region = "block")
        @CmsInvalidate(region = "block")
        String both(String id) {
            return id;
        }

        @CmsCached(region = "a:b")
        String badRegion(String id) {
            return id;
        }

        @CmsCached(region = "block")
        String byOpaque(@CmsKey Opaque opaque) {
            return opaque.id;
        }

        @CmsCached(region = "block")
        String byArray(String[] ids) {
            return ids[0];
        }
    }

    static class NotABean {
        @CmsCached(region = "block")
        String html(String id) {
            return id;
        }
    }

    @ApplicationScoped
    @CmsCached(region = "block")
    static class AnnotatedClass {
        String html(String id) {
            return id;
        }
    }
}
