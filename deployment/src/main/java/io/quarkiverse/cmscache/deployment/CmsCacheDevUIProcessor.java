package io.quarkiverse.cmscache.deployment;

import io.quarkiverse.cmscache.runtime.devui.CmsCacheJsonRPCService;
import io.quarkus.deployment.IsDevelopment;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.devui.spi.JsonRPCProvidersBuildItem;
import io.quarkus.devui.spi.page.CardPageBuildItem;
import io.quarkus.devui.spi.page.Page;

/**
 * The "CMS Cache" card of the Dev UI, in dev mode only: the cache inspector's pages (one Lit component each, under
 * {@code dev-ui/}) and the JSON-RPC service they call. Neither exists in a production build.
 */
class CmsCacheDevUIProcessor {

    @BuildStep(onlyIf = IsDevelopment.class)
    CardPageBuildItem inspectorPages() {
        CardPageBuildItem card = new CardPageBuildItem();
        card.addPage(page("Regions", "qwc-cms-cache-regions.js", "font-awesome-solid:layer-group"));
        card.addPage(page("Entries", "qwc-cms-cache-entries.js", "font-awesome-solid:magnifying-glass"));
        card.addPage(page("Dependencies", "qwc-cms-cache-dependencies.js", "font-awesome-solid:diagram-project"));
        card.addPage(page("Invalidations", "qwc-cms-cache-invalidations.js", "font-awesome-solid:clock-rotate-left"));
        card.addPage(page("Actions", "qwc-cms-cache-actions.js", "font-awesome-solid:broom"));
        return card;
    }

    private static io.quarkus.devui.spi.page.PageBuilder<?> page(String title, String component, String icon) {
        return Page.webComponentPageBuilder().title(title).componentLink(component).icon(icon);
    }

    @BuildStep(onlyIf = IsDevelopment.class)
    JsonRPCProvidersBuildItem inspectorService() {
        return new JsonRPCProvidersBuildItem(CmsCacheJsonRPCService.class);
    }
}
