package io.conifer.documents;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.TermState;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.ConjunctionUtils;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IOBooleanSupplier;
import org.apache.lucene.util.IOSupplier;

/**
 * A full-text field's terms in one segment as one namespace sees them: a term is there when a document
 * of the namespace has it (deleted or not: Lucene keeps a deleted document's terms until a merge), and
 * its document and total frequencies count those documents alone. They come from walking the term's
 * postings alongside other documents, each skipping ahead to the other, so the cost follows the smaller
 * of the two and not the index: the namespace's own documents, or, for a namespace holding most of the
 * segment, every other namespace's, whose matches are taken from the term's own counts. Postings are the
 * segment's: the search still filters to the namespace.
 */
final class NamespaceTermsEnum extends FilterLeafReader.FilterTermsEnum {
    /**
     * The documents a term's postings are walked with: {@code docs} gives a fresh iterator over the
     * namespace's own or ({@code others}) over every other namespace's, each call.
     */
    record Walk(IOSupplier<DocIdSetIterator> docs, boolean others) {}

    /** A term's frequencies within the namespace. */
    record Counts(int docFreq, long totalTermFreq) {}

    private final Walk walk;
    private final Map<BytesRef, Counts> counted;
    private PostingsEnum termDocs;
    private Counts current;

    /**
     * {@code counted}: the terms of the field already counted in this search, shared by its enums: a
     * search asks for a term's frequencies several times (its weight, then each scorer's cost).
     */
    NamespaceTermsEnum(TermsEnum in, Walk walk, Map<BytesRef, Counts> counted) {
        super(in);
        this.walk = walk;
        this.counted = counted;
    }

    @Override
    public BytesRef next() throws IOException {
        for (BytesRef term = in.next(); term != null; term = in.next()) {
            if (inNamespace()) return term;
        }
        return null;
    }

    @Override
    public boolean seekExact(BytesRef text) throws IOException {
        return in.seekExact(text) && inNamespace();
    }

    @Override
    public IOBooleanSupplier prepareSeekExact(BytesRef text) throws IOException {
        IOBooleanSupplier found = in.prepareSeekExact(text);
        return found == null ? null : () -> found.get() && inNamespace();
    }

    @Override
    public SeekStatus seekCeil(BytesRef text) throws IOException {
        SeekStatus status = in.seekCeil(text);
        if (status == SeekStatus.END || inNamespace()) return status;
        return next() == null ? SeekStatus.END : SeekStatus.NOT_FOUND;
    }

    /** The state is one this enum gave for a term of the namespace. */
    @Override
    public void seekExact(BytesRef term, TermState state) throws IOException {
        in.seekExact(term, state);
        current = null;
    }

    @Override
    public void seekExact(long ord) {
        throw new UnsupportedOperationException("a namespace's terms have no ordinals");
    }

    @Override
    public long ord() {
        throw new UnsupportedOperationException("a namespace's terms have no ordinals");
    }

    @Override
    public int docFreq() throws IOException {
        return counts().docFreq();
    }

    @Override
    public long totalTermFreq() throws IOException {
        return counts().totalTermFreq();
    }

    /**
     * Whether a document of the namespace has the current term. Counted in full rather than stopping at
     * the first: a term of the namespace is counted for its weight anyway, and one outside it costs the
     * same walk either way.
     */
    private boolean inNamespace() throws IOException {
        current = null;
        return counts().docFreq() > 0;
    }

    private Counts counts() throws IOException {
        if (current != null) return current;
        current = counted.get(in.term());
        if (current == null) {
            current = count();
            counted.put(BytesRef.deepCopyOf(in.term()), current);
        }
        return current;
    }

    private Counts count() throws IOException {
        termDocs = in.postings(termDocs, PostingsEnum.FREQS);
        // The term's documents that are walked too, each skipping ahead to the other; termDocs is on each.
        DocIdSetIterator shared = ConjunctionUtils.intersectIterators(List.of(termDocs, walk.docs().get()));
        int docs = 0;
        long freq = 0;
        for (int doc = shared.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = shared.nextDoc()) {
            docs++;
            freq += termDocs.freq();
        }
        return walk.others() ? new Counts(in.docFreq() - docs, in.totalTermFreq() - freq) : new Counts(docs, freq);
    }
}
