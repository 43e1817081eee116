package io.conifer.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/** Lucene reads every record shape shares: namespace scoping, matching documents, terms in bitwise order. */
public final class RecordQueries {
    private RecordQueries() {}

    /** A page of record ids in bitwise order, the (global) doc of each, and whether more follow. */
    public record IdPage(List<String> ids, List<Integer> docs, boolean more) {}

    /**
     * The live records of {@code ns} that {@code filter} matches, {@code limit} at a time after
     * {@code afterId} (null: from the start), in id order. Walks the key terms rather than reading
     * each match's stored id, so paging through many matches stays linear.
     */
    public static IdPage matchingPage(IndexSearcher s, String ns, Query filter, int limit, String afterId) throws IOException {
        return IdListing.matching(s, ns, null, filter, limit, afterId);
    }

    public static Query namespaceQuery(String ns) {
        return new TermQuery(new Term(RecordFields.NAMESPACE, ns));
    }

    /** The records of {@code ns} matching {@code filter} (null: all of them). */
    public static Query inNamespace(String ns, Query filter) {
        if (filter == null) return namespaceQuery(ns);
        return new BooleanQuery.Builder().add(namespaceQuery(ns), Occur.FILTER).add(filter, Occur.FILTER).build();
    }

    /**
     * The query restricting a search to a namespace and filter, or null when it would match every
     * live record: building the filter's bit set costs a pass over the namespace, which the common
     * single-namespace index should not pay on every query.
     */
    public static Query scope(IndexSearcher s, String ns, Query filter) throws IOException {
        if (filter == null) return onlyNamespace(s.getIndexReader(), ns) ? null : namespaceQuery(ns);
        return inNamespace(ns, filter);
    }

    /**
     * Whether every record in the index is in {@code ns}: true when each segment's namespace terms are
     * exactly {@code ns}. Costs a look at each segment's term dictionary, not a pass over its documents
     * (counting would, once a segment has deletions). Namespace markers carry no record fields, so they
     * do not matter to a search.
     */
    public static boolean onlyNamespace(IndexReader reader, String ns) throws IOException {
        BytesRef target = new BytesRef(ns);
        for (LeafReaderContext leaf : reader.leaves()) {
            if (!onlyNamespace(leaf.reader(), target)) return false;
        }
        return true;
    }

    /** Whether every record of {@code segment} is in {@code ns} (true when it holds none). */
    public static boolean onlyNamespace(LeafReader segment, BytesRef ns) throws IOException {
        Terms terms = segment.terms(RecordFields.NAMESPACE);
        return terms == null || terms.size() == 1 && ns.equals(terms.getMin());
    }

    /** Global doc ids of the live documents matching {@code q}, in increasing order. */
    public static List<Integer> matchingDocs(IndexSearcher s, Query q) throws IOException {
        return matchingDocs(s, q, -1, Integer.MAX_VALUE);
    }

    /**
     * The first {@code limit} global doc ids after {@code afterDoc} (-1: from the start) of the live
     * documents matching {@code q}, in increasing order: a walk over many matches a part at a time, which
     * skips to where the last part ended rather than collecting every match.
     */
    public static List<Integer> matchingDocs(IndexSearcher s, Query q, int afterDoc, int limit) throws IOException {
        Weight w = s.createWeight(s.rewrite(q), ScoreMode.COMPLETE_NO_SCORES, 1f);
        List<Integer> docs = new ArrayList<>();
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            int from = Math.max(0, afterDoc + 1 - leaf.docBase);
            if (from >= leaf.reader().maxDoc()) continue;
            Scorer scorer = w.scorer(leaf);
            if (scorer == null) continue;
            Bits live = leaf.reader().getLiveDocs();
            DocIdSetIterator it = scorer.iterator();
            for (int doc = it.advance(from); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
                if (live != null && !live.get(doc)) continue;
                docs.add(leaf.docBase + doc);
                if (docs.size() == limit) return docs;
            }
        }
        return docs;
    }

    static TreeSet<String> terms(IndexReader reader, String field) throws IOException {
        TreeSet<String> names = new TreeSet<>(RecordQueries::bitwise);
        for (LeafReaderContext leaf : reader.leaves()) {
            Terms terms = leaf.reader().terms(field);
            if (terms == null) continue;
            TermsEnum te = terms.iterator();
            for (BytesRef t = te.next(); t != null; t = te.next()) names.add(t.utf8ToString());
        }
        return names;
    }

    /** Bitwise ("C" collation) order of the UTF-8 encodings, as Pinecone documents for listings. */
    public static int bitwise(String a, String b) {
        return new BytesRef(a).compareTo(new BytesRef(b));
    }
}
