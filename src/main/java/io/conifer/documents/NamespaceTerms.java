package io.conifer.documents;

import java.io.IOException;
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

    /** {@code walks}: a walk for each new terms enum, which enums do not share (they are used by one thread each). */
    NamespaceTerms(Terms in, FieldShares.Share share, IOSupplier<NamespaceTermsEnum.Walk> walks) {
        super(in);
        this.share = share;
        this.walks = walks;
    }

    @Override
    public TermsEnum iterator() throws IOException {
        return new NamespaceTermsEnum(in.iterator(), walks.get());
    }

    /** The segment's own intersection, which skips what the automaton rejects, then only the namespace's terms. */
    @Override
    public TermsEnum intersect(CompiledAutomaton compiled, BytesRef startTerm) throws IOException {
        return new NamespaceTermsEnum(in.intersect(compiled, startTerm), walks.get());
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
