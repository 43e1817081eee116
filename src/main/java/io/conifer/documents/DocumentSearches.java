package io.conifer.documents;

import io.conifer.error.ConiferException;
import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import io.conifer.store.RecordQueries;
import io.conifer.vectors.DenseSearch;
import io.conifer.vectors.Limits;
import io.conifer.vectors.Metric;
import io.conifer.vectors.SparseSearch;
import io.conifer.vectors.VectorSpace;
import io.conifer.vectors.VectorType;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;

/**
 * Runs a {@link DocumentSearch} on one searcher within a namespace and filter: HNSW on a dense field
 * (scores in the field's metric as Pinecone defines it), the exact dot product on a sparse field
 * ({@link SparseSearch}, as for sparse vector records), or BM25 for a lexical query, whose statistics
 * and term expansions are the namespace's alone ({@link NamespaceReader}).
 */
final class DocumentSearches {
    private final IndexSchema schema;
    private final int efSearch;
    private final SegmentNamespaces.Cache namespaces;

    /** {@code namespaces}: the index's, which its writer fills for merged segments ({@link MergedSegmentCounts}). */
    DocumentSearches(IndexSchema schema, int efSearch, SegmentNamespaces.Cache namespaces) {
        this.schema = schema;
        this.efSearch = efSearch;
        this.namespaces = namespaces;
    }

    /** Checks what can be checked before a searcher is taken. */
    void check(DocumentSearch search) {
        Limits.topK(search.topK());
        switch (search.scoreBy()) {
            case DocumentSearch.Dense d -> {
                SchemaField.DenseVector field = field(d.field(), SchemaField.DenseVector.class, "dense vector");
                Limits.dense(d.vector(), new VectorSpace(VectorType.DENSE, field.dimension(), field.metric(), null),
                        "the query of field '" + d.field() + "'");
            }
            case DocumentSearch.Sparse s -> {
                field(s.field(), SchemaField.SparseVector.class, "sparse vector");
                if (Limits.sparse(s.vector(), "the query") == null) throw ConiferException.invalid("The sparse query vector is empty");
            }
            case DocumentSearch.Lexical l -> {
                if (l.query() == null) throw ConiferException.invalid("A text search needs a query");
            }
        }
    }

    List<ScoreDoc> run(IndexSearcher s, String ns, DocumentSearch search) throws IOException {
        Query filter = search.filter();
        int topK = search.topK();
        return switch (search.scoreBy()) {
            case DocumentSearch.Dense d -> dense(s, ns, filter, d, topK);
            case DocumentSearch.Sparse sp -> SparseSearch.topK(s, DocumentFields.sparse(sp.field()),
                    DocumentFields.sparseTerms(sp.field()), RecordQueries.inNamespace(ns, filter),
                    Limits.sparse(sp.vector(), "the query"), topK);
            case DocumentSearch.Lexical l -> {
                Query scope = RecordQueries.scope(s, ns, filter);
                Query q = scope == null ? l.query()
                        : new BooleanQuery.Builder().add(l.query(), Occur.MUST).add(scope, Occur.FILTER).build();
                yield Arrays.asList(NamespaceReader.searcher(s, ns, namespaces).search(q, topK).scoreDocs);
            }
        };
    }

    private List<ScoreDoc> dense(IndexSearcher s, String ns, Query filter, DocumentSearch.Dense d, int topK) throws IOException {
        Metric metric = ((SchemaField.DenseVector) schema.fields().get(d.field())).metric();
        List<ScoreDoc> hits = DenseSearch.nearest(s, DocumentFields.dense(d.field()), d.vector(), metric,
                RecordQueries.scope(s, ns, filter), Math.max(topK, efSearch));
        return DenseSearch.exact(s, DocumentFields.dense(d.field()), d.vector(), metric, hits.subList(0, Math.min(topK, hits.size())));
    }

    private <F extends SchemaField> F field(String name, Class<F> type, String kind) {
        SchemaField f = schema.fields().get(name);
        if (!type.isInstance(f)) {
            throw ConiferException.invalid("Field '" + name + "' is not a " + kind + " field of the index schema");
        }
        return type.cast(f);
    }
}
