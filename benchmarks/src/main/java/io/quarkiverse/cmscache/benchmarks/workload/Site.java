package io.quarkiverse.cmscache.benchmarks.workload;

import java.util.LinkedHashSet;
import java.util.Random;
import java.util.Set;

/**
 * The simulated site of (d): 10,000 pages in 3 languages on 20 templates. Every page shows its template, its own
 * content, the shared header and footer, 3 of 2,000 section blocks (Zipf, s = 0.8: a few sections are on many pages)
 * and the 5 translations of its template plus 2 of its own (of 500 handles, Zipf, s = 0.8) in the page's language.
 * <p>
 * Every piece of content is an <em>item</em> with a number: header, footer, sections, templates, translations (one per
 * handle and language) and pages.
 */
final class Site {

    static final int PAGES = 10_000;
    static final int LANGUAGES = 3;
    static final int TEMPLATES = 20;
    static final int SECTIONS = 2_000;
    static final int HANDLES = 500;
    static final String[] LANGUAGE_NAMES = { "en", "de", "fr" };

    static final int HEADER = 0;
    static final int FOOTER = 1;
    static final int FIRST_SECTION = 2;
    static final int FIRST_TEMPLATE = FIRST_SECTION + SECTIONS;
    static final int FIRST_TRANSLATION = FIRST_TEMPLATE + TEMPLATES;
    static final int FIRST_PAGE = FIRST_TRANSLATION + HANDLES * LANGUAGES;
    static final int ITEMS = FIRST_PAGE + PAGES;

    final Zipf pageRanks = new Zipf(PAGES, 1.0);
    final Zipf languageRanks = new Zipf(LANGUAGES, 1.0);
    final Zipf sectionRanks = new Zipf(SECTIONS, 0.8);
    final Zipf handleRanks = new Zipf(HANDLES, 0.8);

    private final int[] templateOf = new int[PAGES];
    private final int[][] sectionsOf = new int[PAGES][];
    private final int[][] handlesOfTemplate = new int[TEMPLATES][];
    private final int[][] handlesOf = new int[PAGES][];

    Site(long seed) {
        Random random = new Random(seed);
        for (int t = 0; t < TEMPLATES; t++) {
            handlesOfTemplate[t] = distinct(5, () -> random.nextInt(HANDLES));
        }
        for (int p = 0; p < PAGES; p++) {
            templateOf[p] = random.nextInt(TEMPLATES);
            sectionsOf[p] = distinct(3, () -> sectionRanks.next(random));
            handlesOf[p] = distinct(2, () -> handleRanks.next(random));
        }
    }

    /**
     * @return the items page {@code page} in language {@code language} is made of, the page's own content first
     */
    int[] itemsOf(int page, int language) {
        Set<Integer> items = new LinkedHashSet<>();
        items.add(FIRST_PAGE + page);
        items.add(FIRST_TEMPLATE + templateOf[page]);
        items.add(HEADER);
        items.add(FOOTER);
        for (int section : sectionsOf[page]) {
            items.add(FIRST_SECTION + section);
        }
        for (int handle : handlesOfTemplate[templateOf[page]]) {
            items.add(translation(handle, language));
        }
        for (int handle : handlesOf[page]) {
            items.add(translation(handle, language));
        }
        return items.stream().mapToInt(Integer::intValue).toArray();
    }

    static int translation(int handle, int language) {
        return FIRST_TRANSLATION + handle * LANGUAGES + language;
    }

    /**
     * @return the item's name, which is its key in the cache
     */
    static String name(int item) {
        if (item == HEADER) {
            return "header";
        } else if (item == FOOTER) {
            return "footer";
        } else if (item < FIRST_TEMPLATE) {
            return "section-" + (item - FIRST_SECTION);
        } else if (item < FIRST_TRANSLATION) {
            return "template-" + (item - FIRST_TEMPLATE);
        } else if (item < FIRST_PAGE) {
            int t = item - FIRST_TRANSLATION;
            return "translation-" + t / LANGUAGES + "-" + LANGUAGE_NAMES[t % LANGUAGES];
        }
        return "page-" + (item - FIRST_PAGE);
    }

    private static int[] distinct(int count, java.util.function.IntSupplier draw) {
        Set<Integer> chosen = new LinkedHashSet<>();
        while (chosen.size() < count) {
            chosen.add(draw.getAsInt());
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }
}
