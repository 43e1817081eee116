package io.conifer.store;

import io.conifer.error.ConiferException;
import io.conifer.vectors.ListPage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;

/** Pages of live record ids in a namespace, in bitwise order, read off the key terms. */
final class IdListing {
    private IdListing() {}

    static void checkLimit(int limit) {
        if (limit < 1 || limit > 1000) throw ConiferException.invalid("limit is " + limit + "; it must be between 1 and 1000");
    }

    static ListPage page(IndexSearcher s, String ns, String prefix, int limit, String after) throws IOException {
        RecordQueries.IdPage m = matching(s, ns, prefix, null, limit, after);
        return new ListPage(m.ids(), m.more());
    }

    /**
     * The live records of {@code ns} whose ids start with {@code prefix} (null: any) and that {@code filter}
     * matches (null: all), {@code limit} at a time after {@code after}. Two ways to a page, whichever
     * reads less: walking the key terms in order, checking each against the filter's matches as bits
     * (a page costs about limit x records / matches keys), or, when the filter matches few records,
     * reading the stored id of each match and sorting them (a page costs every match).
     */
    static RecordQueries.IdPage matching(IndexSearcher s, String ns, String prefix, Query filter, int limit, String after)
            throws IOException {
        List<LeafReaderContext> leaves = s.getIndexReader().leaves();
        Bits[] accept = null;
        if (filter != null) {
            Weight w = s.createWeight(s.rewrite(RecordQueries.inNamespace(ns, filter)), ScoreMode.COMPLETE_NO_SCORES, 1f);
            accept = new Bits[leaves.size()];
            long matches = 0;
            for (int i = 0; i < leaves.size(); i++) {
                FixedBitSet bits = liveMatches(w, leaves.get(i));
                accept[i] = bits;
                if (bits != null) matches += bits.cardinality();
            }
            // Walking finds limit + 1 matches after ~(limit + 1) x records / matches keys; a stored id costs
            // several key steps (a block decompressed), hence the factor.
            if (prefix == null && (long) (limit + 1) * s.getIndexReader().maxDoc() > STORED_READ_COST * matches * Math.max(1, matches)) {
                return byStoredIds(leaves, accept, limit, after);
            }
        }
        String start = RecordFields.keyPrefix(ns) + (prefix == null ? "" : prefix);
        String mustStartWith = start;
        if (after != null) {
            String afterKey = RecordFields.key(ns, after);
            if (afterKey.compareTo(start) >= 0) start = afterKey;
        }
        TreeMap<BytesRef, Integer> found = new TreeMap<>();
        BytesRef from = new BytesRef(start);
        BytesRef required = new BytesRef(mustStartWith);
        BytesRef afterRef = after == null ? null : new BytesRef(RecordFields.key(ns, after));
        for (int i = 0; i < leaves.size(); i++) {
            LeafReaderContext leaf = leaves.get(i);
            Terms terms = leaf.reader().terms(RecordFields.KEY);
            if (terms == null || (accept != null && accept[i] == null)) continue;
            TermsEnum te = terms.iterator();
            if (te.seekCeil(from) == TermsEnum.SeekStatus.END) continue;
            Bits live = accept != null ? accept[i] : leaf.reader().getLiveDocs();
            PostingsEnum pe = null;
            int taken = 0;
            for (BytesRef t = te.term(); t != null && taken <= limit; t = te.next()) {
                if (!startsWith(t, required)) break;
                if (afterRef != null && t.compareTo(afterRef) <= 0) continue;
                pe = te.postings(pe, PostingsEnum.NONE);
                for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
                    if (live == null || live.get(d)) {
                        found.put(BytesRef.deepCopyOf(t), leaf.docBase + d);
                        taken++;
                        break;
                    }
                }
            }
        }
        List<String> ids = new ArrayList<>(Math.min(limit, found.size()));
        List<Integer> docs = new ArrayList<>(ids.size());
        int skip = RecordFields.keyPrefix(ns).getBytes(StandardCharsets.UTF_8).length;
        for (Map.Entry<BytesRef, Integer> e : found.entrySet()) {
            if (ids.size() == limit) break;
            BytesRef t = e.getKey();
            ids.add(new String(t.bytes, t.offset + skip, t.length - skip, StandardCharsets.UTF_8));
            docs.add(e.getValue());
        }
        return new RecordQueries.IdPage(ids, docs, found.size() > limit);
    }

    /** Key steps one stored-id read costs, roughly: when walking would take more, the matches' ids are read. */
    private static final long STORED_READ_COST = 8;
    private static final Set<String> ID_ONLY = Set.of(RecordFields.ID);

    private static RecordQueries.IdPage byStoredIds(List<LeafReaderContext> leaves, Bits[] accept, int limit, String after)
            throws IOException {
        TreeMap<String, Integer> byId = new TreeMap<>(RecordQueries::bitwise);
        for (int i = 0; i < leaves.size(); i++) {
            if (!(accept[i] instanceof FixedBitSet bits)) continue;
            StoredFields stored = leaves.get(i).reader().storedFields();
            for (int d = bits.nextSetBit(0); d != DocIdSetIterator.NO_MORE_DOCS; d = d + 1 >= bits.length() ? DocIdSetIterator.NO_MORE_DOCS : bits.nextSetBit(d + 1)) {
                String id = stored.document(d, ID_ONLY).get(RecordFields.ID);
                if (after == null || RecordQueries.bitwise(id, after) > 0) byId.put(id, leaves.get(i).docBase + d);
            }
        }
        List<String> ids = new ArrayList<>(Math.min(limit, byId.size()));
        List<Integer> docs = new ArrayList<>(ids.size());
        for (Map.Entry<String, Integer> e : byId.entrySet()) {
            if (ids.size() == limit) break;
            ids.add(e.getKey());
            docs.add(e.getValue());
        }
        return new RecordQueries.IdPage(ids, docs, byId.size() > limit);
    }

    /** The live docs of {@code leaf} the weight matches, or null if none. */
    private static FixedBitSet liveMatches(Weight w, LeafReaderContext leaf) throws IOException {
        Scorer scorer = w.scorer(leaf);
        if (scorer == null) return null;
        FixedBitSet bits = new FixedBitSet(leaf.reader().maxDoc());
        bits.or(scorer.iterator());
        Bits live = leaf.reader().getLiveDocs();
        if (live != null) {
            for (int d = bits.nextSetBit(0); d != DocIdSetIterator.NO_MORE_DOCS; d = d + 1 >= bits.length() ? DocIdSetIterator.NO_MORE_DOCS : bits.nextSetBit(d + 1)) {
                if (!live.get(d)) bits.clear(d);
            }
        }
        return bits.cardinality() == 0 ? null : bits;
    }

    private static boolean startsWith(BytesRef t, BytesRef prefix) {
        if (t.length < prefix.length) return false;
        return Arrays.equals(t.bytes, t.offset, t.offset + prefix.length,
                prefix.bytes, prefix.offset, prefix.offset + prefix.length);
    }
}
