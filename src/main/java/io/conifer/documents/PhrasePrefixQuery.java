package io.conifer.documents;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.lucene.index.MultiTerms;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.MultiPhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.StringHelper;

/**
 * A phrase whose last word is a prefix ({@code "james w"*}): when searched, the prefix becomes the
 * first {@value #MAX_EXPANSIONS} terms of the searcher's index that start with it, in term order (as
 * Pinecone bounds it), and the whole a {@link MultiPhraseQuery}. A search's index is its namespace's
 * ({@link NamespaceReader}), so other namespaces' terms take none of them. The head words are already
 * analysed.
 */
final class PhrasePrefixQuery extends Query {
    static final int MAX_EXPANSIONS = 50;

    private final String field;
    private final List<TextField.Position> head;
    private final String prefix;
    private final int prefixPosition;

    PhrasePrefixQuery(String field, List<TextField.Position> head, String prefix, int prefixPosition) {
        this.field = field;
        this.head = List.copyOf(head);
        this.prefix = prefix;
        this.prefixPosition = prefixPosition;
    }

    @Override
    public Query rewrite(IndexSearcher searcher) throws IOException {
        List<Term> expansions = new ArrayList<>();
        Terms terms = MultiTerms.getTerms(searcher.getIndexReader(), field);
        BytesRef start = new BytesRef(prefix);
        if (terms != null) {
            TermsEnum te = terms.iterator();
            if (te.seekCeil(start) != TermsEnum.SeekStatus.END) {
                do {
                    if (!StringHelper.startsWith(te.term(), start)) break;
                    expansions.add(new Term(field, BytesRef.deepCopyOf(te.term())));
                } while (expansions.size() < MAX_EXPANSIONS && te.next() != null);
            }
        }
        if (expansions.isEmpty()) return new MatchNoDocsQuery("no term starts with " + prefix);
        int first = head.isEmpty() ? prefixPosition : head.get(0).position();
        MultiPhraseQuery.Builder b = new MultiPhraseQuery.Builder();
        for (TextField.Position p : head) {
            if (p.terms().isEmpty()) return new MatchNoDocsQuery("a word cannot match");
            for (String t : p.terms()) b.add(new Term[] {new Term(field, t)}, p.position() - first);
        }
        b.add(expansions.toArray(Term[]::new), prefixPosition - first);
        return b.build();
    }

    @Override
    public void visit(QueryVisitor visitor) {
        if (visitor.acceptField(field)) visitor.visitLeaf(this);
    }

    @Override
    public String toString(String defaultField) {
        StringBuilder sb = new StringBuilder();
        if (!field.equals(defaultField)) sb.append(field).append(':');
        sb.append('"');
        for (TextField.Position p : head) sb.append(String.join("+", p.terms())).append(' ');
        return sb.append(prefix).append("\"*").toString();
    }

    @Override
    public boolean equals(Object o) {
        return sameClassAs(o) && o instanceof PhrasePrefixQuery q && field.equals(q.field) && head.equals(q.head)
                && prefix.equals(q.prefix) && prefixPosition == q.prefixPosition;
    }

    @Override
    public int hashCode() {
        return Objects.hash(classHash(), field, head, prefix, prefixPosition);
    }
}
