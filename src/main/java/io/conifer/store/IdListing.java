package io.conifer.store;

import io.conifer.error.ConiferException;
import io.conifer.vectors.ListPage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
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
     * matches (null: all), {@code limit} at a time after {@code after}, walking the key terms in order:
     * a page costs the filter's matches as bits and the keys walked, never a stored field per match.
     */
    static RecordQueries.IdPage matching(IndexSearcher s, String ns, String prefix, Query filter, int limit, String after) throws IOException {
        String start = RecordFields.keyPrefix(ns) + (prefix == null ? "" : prefix);
        String mustStartWith = start;
        if (after != null) {
            String afterKey = RecordFields.key(ns, after);
            if (afterKey.compareTo(start) >= 0) start = afterKey;
        }
        Weight accepted = filter == null ? null : s.createWeight(s.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
        TreeMap<BytesRef, Integer> found = new TreeMap<>();
        BytesRef from = new BytesRef(start);
        BytesRef required = new BytesRef(mustStartWith);
        BytesRef afterRef = after == null ? null : new BytesRef(RecordFields.key(ns, after));
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            Terms terms = leaf.reader().terms(RecordFields.KEY);
            if (terms == null) continue;
            Bits accept = accepted == null ? null : matches(accepted, leaf);
            if (accepted != null && accept == null) continue;
            TermsEnum te = terms.iterator();
            if (te.seekCeil(from) == TermsEnum.SeekStatus.END) continue;
            Bits live = leaf.reader().getLiveDocs();
            PostingsEnum pe = null;
            int taken = 0;
            for (BytesRef t = te.term(); t != null && taken <= limit; t = te.next()) {
                if (!startsWith(t, required)) break;
                if (afterRef != null && t.compareTo(afterRef) <= 0) continue;
                pe = te.postings(pe, PostingsEnum.NONE);
                for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
                    if ((live == null || live.get(d)) && (accept == null || accept.get(d))) {
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

    /** The docs of {@code leaf} the filter matches, or null if none. */
    private static Bits matches(Weight w, LeafReaderContext leaf) throws IOException {
        Scorer scorer = w.scorer(leaf);
        if (scorer == null) return null;
        FixedBitSet bits = new FixedBitSet(leaf.reader().maxDoc());
        bits.or(scorer.iterator());
        return bits;
    }

    private static boolean startsWith(BytesRef t, BytesRef prefix) {
        if (t.length < prefix.length) return false;
        return Arrays.equals(t.bytes, t.offset, t.offset + prefix.length,
                prefix.bytes, prefix.offset, prefix.offset + prefix.length);
    }
}
