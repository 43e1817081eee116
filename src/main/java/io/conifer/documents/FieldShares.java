package io.conifer.documents;

import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.FixedBitSet;

/**
 * Each namespace's share of one full-text field's statistics in one segment, as Lucene keeps them for
 * the whole segment: the documents with the field, their tokens (every one, n-grams included: the field
 * lengths BM25 averages) and their distinct terms, deleted documents included until a merge drops them.
 * Exact, because counted from the postings: norms hold only a lossy length without overlapping tokens.
 * One pass over the field's postings counts every namespace at once. (Skipping to a small namespace's
 * documents instead was no faster on a 200,000-document segment with 1,000 of them: a skip decodes a
 * whole postings block, and they had about one document a block.)
 */
final class FieldShares {
    /** One namespace's statistics of the field in the segment; docCount is at least 1. */
    record Share(int docCount, long sumTotalTermFreq, long sumDocFreq) {}

    private final Share[] byNamespace;

    private FieldShares(Share[] byNamespace) {
        this.byNamespace = byNamespace;
    }

    /** The share of the namespace with this index in {@link SegmentNamespaces}; null when it has no document with the field. */
    Share of(int namespace) {
        return byNamespace[namespace];
    }

    static FieldShares count(LeafReader segment, String field, SegmentNamespaces namespaces) throws IOException {
        Share[] shares = new Share[namespaces.size()];
        Terms terms = segment.terms(field);
        if (terms == null) return new FieldShares(shares);
        int[] namespaceOf = new int[segment.maxDoc()];
        Arrays.fill(namespaceOf, -1);
        namespaces.forEachMember(segment, (ns, doc) -> namespaceOf[doc] = ns);
        int[] docCount = new int[shares.length];
        long[] sumTotalTermFreq = new long[shares.length];
        long[] sumDocFreq = new long[shares.length];
        FixedBitSet counted = new FixedBitSet(segment.maxDoc());
        TermsEnum te = terms.iterator();
        PostingsEnum postings = null;
        while (te.next() != null) {
            postings = te.postings(postings, PostingsEnum.FREQS);
            for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
                int ns = namespaceOf[doc];
                // Only namespace markers have none, and they hold no text.
                if (ns < 0) continue;
                sumTotalTermFreq[ns] += postings.freq();
                sumDocFreq[ns]++;
                if (!counted.getAndSet(doc)) docCount[ns]++;
            }
        }
        for (int ns = 0; ns < shares.length; ns++) {
            if (docCount[ns] > 0) shares[ns] = new Share(docCount[ns], sumTotalTermFreq[ns], sumDocFreq[ns]);
        }
        return new FieldShares(shares);
    }
}
