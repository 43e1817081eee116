package io.conifer.vectors;

import io.conifer.store.RecordFields;
import io.conifer.store.RecordQueries;
import io.conifer.store.RecordShape;
import java.io.IOException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;

/** Vector records as a record shape of the storage engine: their logged ops and how each is applied. */
final class VectorWrites implements RecordShape<WriteOp> {
    private final VectorSpace space;

    VectorWrites(VectorSpace space) {
        this.space = space;
    }

    @Override
    public byte[] encode(WriteOp op) {
        return WriteOp.encode(op);
    }

    @Override
    public WriteOp decode(byte[] payload) throws IOException {
        return WriteOp.decode(payload);
    }

    @Override
    public void apply(IndexWriter writer, WriteOp op) throws IOException {
        switch (op) {
            case WriteOp.Upsert u -> {
                for (VectorRecord r : u.records()) {
                    writer.updateDocument(RecordFields.keyTerm(u.namespace(), r.id()), RecordLayout.toDocument(u.namespace(), r, space));
                }
            }
            case WriteOp.DeleteIds d -> writer.deleteDocuments(RecordFields.keyTerms(d.namespace(), d.ids()));
            case WriteOp.DeleteFilter f -> writer.deleteDocuments(
                    RecordQueries.inNamespace(f.namespace(), FilterQueries.toQuery(f.filter(), space)));
            case WriteOp.DeleteNamespace n -> writer.deleteDocuments(new Term(RecordFields.NAMESPACE, n.namespace()),
                    new Term(RecordFields.DECLARED_NAMESPACE, n.namespace()));
            case WriteOp.DeclareNamespace n -> writer.updateDocument(new Term(RecordFields.DECLARED_NAMESPACE, n.namespace()),
                    RecordFields.namespaceMarker(n.namespace(), n.filterableFields()));
        }
    }
}
