package io.quarkiverse.cmscache.sample;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The packaged site, as it runs in production: the cache inspector and its JSON-RPC service are not part of it, and the
 * cache's metrics are.
 */
@QuarkusIntegrationTest
@WithTestResource(FreshCacheNamespace.class)
class ProductionBuildIT {

    @Test
    void inspectorIsNotInTheProductionBuild() throws IOException {
        given().get("/q/dev-ui/quarkus-cms-cache/dependencies").then().statusCode(404);
        given().get("/q/dev-ui/").then().statusCode(404);

        // No bean (nor any other generated class) for the JSON-RPC service, and no Dev UI resources in the application.
        Path app = Path.of("target/quarkus-app");
        assertTrue(Files.isDirectory(app), "the packaged application");
        try (Stream<Path> jars = Files.walk(app)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                try (JarFile file = new JarFile(jar.toFile())) {
                    List<String> names = file.stream().map(e -> e.getName()).toList();
                    assertFalse(names.stream().anyMatch(n -> n.contains("CmsCacheJsonRPCService_")),
                            "a generated class for the inspector's JSON-RPC service in " + jar);
                    assertFalse(names.stream().anyMatch(n -> n.contains("qwc-cms-cache")), "Dev UI pages in " + jar);
                }
            }
        }
    }

    @Test
    void metricsArePublished() {
        given().get("/").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("cms_cache_gets_total{level=\"l1\",region=\"rendered\",result=\"miss\"}"))
                .body(containsString("cms_cache_l2_state{state=\"up\"} 1.0"));
    }
}
