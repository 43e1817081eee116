package io.conifer.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetch by metadata pages in id order through every segment, over deletions and over records an
 * update moved to a newer segment, both ways a page is read: off the key terms and the filter's
 * matches (a filter matching many records), and from the stored ids of the matches (few).
 */
class FilteredPagesTest {
    private static final VectorSpace SPACE = new VectorSpace(VectorType.DENSE, 2, Metric.COSINE, null);

    @Test
    void everyMatchOnceInIdOrderAcrossSegmentsDeletionsAndUpdates(@TempDir Path dir) throws Exception {
        VectorStore store = VectorStore.open(dir, SPACE, StoreOptions.defaults());
        try {
            TreeMap<String, Integer> group = new TreeMap<>(VectorStore::bitwise);
            for (int batch = 0; batch < 3; batch++) {
                List<VectorRecord> records = new ArrayList<>();
                for (int i = batch * 400; i < (batch + 1) * 400; i++) {
                    String id = "r" + i; // not zero-padded: id order is not number order
                    records.add(new VectorRecord(id, new float[] {1, i}, null, Map.of("g", i % 3, "rare", i % 97 == 0)));
                    group.put(id, i % 3);
                }
                store.upsert("ns", records);
                store.fetch("ns", List.of("r0")); // a read after the writes: their own segment
            }
            List<String> gone = new ArrayList<>();
            for (int i = 0; i < 1200; i += 10) gone.add("r" + i);
            store.deleteIds("ns", gone);
            gone.forEach(group::remove);
            List<VectorRecord> moved = new ArrayList<>();
            for (int i = 1; i < 1200; i += 7) {
                if (!group.containsKey("r" + i)) continue;
                int g = i % 2 == 0 ? 1 : 2;
                moved.add(new VectorRecord("r" + i, new float[] {1, i}, null, Map.of("g", g, "rare", i % 97 == 0)));
                group.put("r" + i, g);
            }
            store.upsert("ns", moved);
            store.upsert("other", List.of(new VectorRecord("r5", new float[] {1, 1}, null, Map.of("g", 1))));

            List<String> many = new ArrayList<>();
            List<String> few = new ArrayList<>();
            group.forEach((id, g) -> {
                if (g == 1) many.add(id);
                if (Integer.parseInt(id.substring(1)) % 97 == 0) few.add(id);
            });
            assertEquals(many, pages(store, Map.of("g", 1), 37));
            assertTrue(few.size() > 5 && few.size() < 20, few.toString());
            assertEquals(few, pages(store, Map.of("rare", true), 5));
        } finally {
            store.close();
        }
    }

    private static List<String> pages(VectorStore store, Map<String, Object> filter, int limit) {
        List<String> paged = new ArrayList<>();
        String after = null;
        for (int pages = 0; ; pages++) {
            assertTrue(pages < 100, "the paging ends");
            VectorStore.RecordPage page = store.fetchByMetadata("ns", filter, limit, after).result();
            for (VectorRecord r : page.records()) paged.add(r.id());
            if (!page.more()) return paged;
            after = page.records().get(page.records().size() - 1).id();
        }
    }
}
