package io.conifer.documents;

import java.io.IOException;
import java.util.Map;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IOSupplier;
import org.apache.lucene.util.automaton.CompiledAutomaton;

/** A full-text field of one segment as one namespace sees it: its terms ({@link NamespaceTermsEnum}) and statistics. */
final class NamespaceTerms extends FilterLeafReader.FilterTerms {
    private final FieldShares.Share share;
    private final IOSupplier<NamespaceTermsEnum.Walk> walks;
    private final Map<BytesRef, NamespaceTermsEnum.Counts> counted;

    /**
     * {@code walks}: a walk for each new terms enum, which enums do not share (each is one thread's);
     * {@code counted}: the field's terms counted in this search ({@link NamespaceTermsEnum}).
     */
    NamespaceTerms(Terms in, FieldShares.Share share, IOSupplier<NamespaceTermsEnum.Walk> walks,
            Map<BytesRef, NamespaceTermsEnum.Counts> counted) {
        super(in);
        this.share = share;
        this.walks = walks;
        this.counted = counted;
    }

    @Override
    public TermsEnum iterator() throws IOException {
        return new NamespaceTermsEnum(in.iterator(), walks.get(), counted);
    }

    /** The segment's own intersection, which skips what the automaton rejects, then only the namespace's terms. */
    @Override
    public TermsEnum intersect(CompiledAutomaton compiled, BytesRef startTerm) throws IOException {
        return new NamespaceTermsEnum(in.intersect(compiled, startTerm), walks.get(), counted);
    }

    /** Unknown, as Lucene allows: counting would walk every term of the segment. */
    @Override
    public long size() {
        return -1;
    }

    @Override
    public long getSumTotalTermFreq() {
        return share.sumTotalTermFreq();
    }

    @Override
    public long getSumDocFreq() {
        return share.sumDocFreq();
    }

    @Override
    public int getDocCount() {
        return share.docCount();
    }
}
