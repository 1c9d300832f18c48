package io.quarkiverse.cmscache.benchmarks.workload;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The operations of one edit-storm run, the same for every strategy: reads at a fixed rate, Zipf over pages and
 * languages, alternately on instance A and B; edits at fixed rates, made on instance A, their targets chosen with the
 * same Zipf as the reads use (popular sections and translations are edited as often as they are shown).
 */
final class Trace {

    /** Reads per second of the schedule. */
    static final int READS_PER_SECOND = 1_000;
    /** Edits per second of the schedule. */
    static final double SECTION_EDITS = 2.0;
    static final double TRANSLATION_EDITS = 1.0;
    static final double TEMPLATE_EDITS = 0.1;
    /** Header or footer, alternately. */
    static final double GLOBAL_BLOCK_EDITS = 1.0 / 60;

    /**
     * @param at nanoseconds after the start of the run
     * @param item the edited item, or -1 for a read
     */
    record Op(long at, int item, int page, int language, boolean onA) {
        boolean read() {
            return item < 0;
        }
    }

    final List<Op> ops;
    final int reads;
    final int[] editsByKind = new int[4];

    Trace(Site site, int reads, long seed) {
        this.reads = reads;
        Random random = new Random(seed);
        List<Op> all = new ArrayList<>();
        for (int i = 0; i < reads; i++) {
            all.add(new Op(i * 1_000_000_000L / READS_PER_SECOND, -1, site.pageRanks.next(random),
                    site.languageRanks.next(random), i % 2 == 0));
        }
        double seconds = (double) reads / READS_PER_SECOND;
        edits(all, seconds, SECTION_EDITS, 0, () -> Site.FIRST_SECTION + site.sectionRanks.next(random));
        edits(all, seconds, TRANSLATION_EDITS, 1,
                () -> Site.translation(site.handleRanks.next(random), site.languageRanks.next(random)));
        edits(all, seconds, TEMPLATE_EDITS, 2, () -> Site.FIRST_TEMPLATE + random.nextInt(Site.TEMPLATES));
        int[] global = { 0 };
        edits(all, seconds, GLOBAL_BLOCK_EDITS, 3, () -> global[0]++ % 2 == 0 ? Site.HEADER : Site.FOOTER);
        all.sort(Comparator.comparingLong(Op::at));
        this.ops = List.copyOf(all);
    }

    private void edits(List<Op> all, double seconds, double perSecond, int kind,
            java.util.function.IntSupplier target) {
        for (int k = 1; k / perSecond < seconds; k++) {
            all.add(new Op((long) (k / perSecond * 1e9), target.getAsInt(), -1, -1, true));
            editsByKind[kind]++;
        }
    }
}
