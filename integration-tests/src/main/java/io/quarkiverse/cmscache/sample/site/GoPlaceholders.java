package io.quarkiverse.cmscache.sample.site;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the placeholders of the Go CMS Store into Qute, so that content migrated from it renders unchanged:
 * {@code [[BLOCK_id]]}, {@code [[TRANSLATION_handle]]}, {@code [[PageTitle]]}, {@code [[PageContent]]},
 * {@code [[PageMetaDescription]]} and {@code [[PageAlias]]}.
 */
public final class GoPlaceholders {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\[\\[(BLOCK|TRANSLATION)_([A-Za-z0-9_.-]+)]]"
            + "|\\[\\[(PageTitle|PageContent|PageMetaDescription|PageAlias)]]");

    private GoPlaceholders() {
    }

    public static String toQute(String content) {
        if (content == null || !content.contains("[[")) {
            return content == null ? "" : content;
        }
        Matcher matcher = PLACEHOLDER.matcher(content);
        StringBuilder qute = new StringBuilder();
        while (matcher.find()) {
            String replacement;
            if (matcher.group(1) != null) {
                String function = matcher.group(1).equals("BLOCK") ? "block" : "t";
                replacement = "{cms:" + function + "('" + matcher.group(2) + "')}";
            } else {
                replacement = switch (matcher.group(3)) {
                    case "PageTitle" -> "{page.title}";
                    case "PageContent" -> "{content}";
                    case "PageMetaDescription" -> "{page.metaDescription ?: ''}";
                    default -> "{page.alias}";
                };
            }
            matcher.appendReplacement(qute, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(qute);
        return qute.toString();
    }
}
