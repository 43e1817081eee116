package io.conifer.store;

import io.conifer.error.ConiferException;
import io.conifer.vectors.ListPage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/** Pages of live record ids in a namespace, in bitwise order, read off the key terms. */
final class IdListing {
    private IdListing() {}

    static void checkLimit(int limit) {
        if (limit < 1 || limit > 1000) throw ConiferException.invalid("limit is " + limit + "; it must be between 1 and 1000");
    }

    static ListPage page(IndexSearcher s, String ns, String prefix, int limit, String after) throws IOException {
        String start = RecordFields.keyPrefix(ns) + (prefix == null ? "" : prefix);
        String mustStartWith = start;
        if (after != null) {
            String afterKey = RecordFields.key(ns, after);
            if (afterKey.compareTo(start) >= 0) start = afterKey;
        }
        TreeSet<BytesRef> found = new TreeSet<>();
        BytesRef from = new BytesRef(start);
        BytesRef required = new BytesRef(mustStartWith);
        BytesRef afterRef = after == null ? null : new BytesRef(RecordFields.key(ns, after));
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            Terms terms = leaf.reader().terms(RecordFields.KEY);
            if (terms == null) continue;
            TermsEnum te = terms.iterator();
            if (te.seekCeil(from) == TermsEnum.SeekStatus.END) continue;
            Bits live = leaf.reader().getLiveDocs();
            PostingsEnum pe = null;
            int taken = 0;
            for (BytesRef t = te.term(); t != null && taken <= limit; t = te.next()) {
                if (!startsWith(t, required)) break;
                if (afterRef != null && t.compareTo(afterRef) <= 0) continue;
                pe = te.postings(pe, PostingsEnum.NONE);
                boolean alive = false;
                for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
                    if (live == null || live.get(d)) {
                        alive = true;
                        break;
                    }
                }
                if (alive) {
                    found.add(BytesRef.deepCopyOf(t));
                    taken++;
                }
            }
        }
        List<String> ids = new ArrayList<>(Math.min(limit, found.size()));
        int skip = RecordFields.keyPrefix(ns).getBytes(StandardCharsets.UTF_8).length;
        for (BytesRef t : found) {
            if (ids.size() == limit) break;
            ids.add(new String(t.bytes, t.offset + skip, t.length - skip, StandardCharsets.UTF_8));
        }
        return new ListPage(ids, found.size() > limit);
    }

    private static boolean startsWith(BytesRef t, BytesRef prefix) {
        if (t.length < prefix.length) return false;
        return Arrays.equals(t.bytes, t.offset, t.offset + prefix.length,
                prefix.bytes, prefix.offset, prefix.offset + prefix.length);
    }
}
