package io.quarkiverse.cmscache.runtime.qute;

import java.util.List;
import java.util.concurrent.CompletionStage;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.arc.Arc;
import io.quarkus.qute.CompletedStage;
import io.quarkus.qute.EngineConfiguration;
import io.quarkus.qute.Expression;
import io.quarkus.qute.ResultNode;
import io.quarkus.qute.Scope;
import io.quarkus.qute.SectionHelper;
import io.quarkus.qute.SectionHelperFactory;
import io.quarkus.qute.SingleResultNode;
import io.quarkus.runtime.BlockingOperationControl;
import io.smallrye.mutiny.Uni;

/**
 * The Qute section {@code {#cms-cached key=... [region='fragment']}...{/cms-cached}}: caches the rendered content of
 * its block in both levels under {@code <region>:<key>}, with dependency capture. Every cached read made while the
 * block renders (through {@code @CmsCached} template extensions, for example) becomes a dependency of the fragment,
 * and the fragment becomes a dependency of the entry being computed around it (the page). Unlike Qute's own
 * {@code {#cached}}, the fragment is shared through Redis and is invalidated precisely.
 * <p>
 * {@code key} is an expression; a {@code List} value gives a key of several parts. Keys are not prefixed by the
 * template's id, so templates parsed at run time (from a database) share fragments across instances: choose keys that
 * identify the content, such as {@code key=str:concat('footer-', lang)} or {@code key=['footer', lang]}.
 */
@EngineConfiguration
public class CmsCachedSectionFactory implements SectionHelperFactory<CmsCachedSectionFactory.CmsCachedSection> {

    static final String KEY = "key";
    static final String REGION = "region";
    static final String DEFAULT_REGION = "fragment";

    @Override
    public List<String> getDefaultAliases() {
        return List.of("cms-cached");
    }

    @Override
    public ParametersInfo getParameters() {
        return ParametersInfo.builder().addParameter(KEY).addParameter(REGION, DEFAULT_REGION).build();
    }

    @Override
    public Scope initializeBlock(Scope previousScope, BlockInfo block) {
        if (block.getLabel().equals(MAIN_BLOCK_NAME)) {
            block.addExpression(KEY, block.getParameter(KEY));
        }
        return previousScope;
    }

    @Override
    public CmsCachedSection initialize(SectionInitContext context) {
        String region = context.getParameter(REGION);
        if (region.length() > 1 && (region.startsWith("'") || region.startsWith("\""))) {
            region = region.substring(1, region.length() - 1);
        }
        return new CmsCachedSection(context.getExpression(KEY), region);
    }

    public static final class CmsCachedSection implements SectionHelper {

        private final Expression key;
        private final String region;
        private volatile CmsCache cache;

        CmsCachedSection(Expression key, String region) {
            this.key = key;
            this.region = region;
        }

        @Override
        public CompletionStage<ResultNode> resolve(SectionResolutionContext context) {
            return context.resolutionContext().evaluate(key).thenCompose(value -> {
                Object parts = value instanceof List<?> list ? CmsCache.key(list.toArray()) : value;
                // The block is rendered inside the loader call, so that the reads it makes find their computation.
                if (BlockingOperationControl.isBlockingAllowed()) {
                    // Rendered from blocking code (a worker thread): the block may call blocking services, so it must
                    // render on this thread, not on the I/O thread that completes an asynchronous Redis read.
                    String html = cache().get(region, parts, String.class,
                            () -> context.execute().thenApply(CmsCachedSection::text).toCompletableFuture().join());
                    return CompletedStage.of(new SingleResultNode(html));
                }
                Uni<String> fragment = cache().getAsync(region, parts, String.class,
                        () -> Uni.createFrom().completionStage(context.execute().thenApply(CmsCachedSection::text)));
                return fragment.subscribeAsCompletionStage().thenApply(SingleResultNode::new);
            });
        }

        private static String text(ResultNode node) {
            StringBuilder text = new StringBuilder();
            node.process(text::append);
            return text.toString();
        }

        private CmsCache cache() {
            CmsCache c = cache;
            if (c == null) {
                c = Arc.container().instance(CmsCacheEngine.class).get();
                cache = c;
            }
            return c;
        }
    }
}
