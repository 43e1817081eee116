package io.conifer.vectors;

import io.conifer.store.NamespaceSchemas;
import io.conifer.store.RecordFields;
import io.conifer.store.RecordQueries;
import io.conifer.store.RecordShape;
import java.io.IOException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.Directory;

/** Vector records as a record shape of the storage engine: their logged ops and how each is applied. */
final class VectorWrites implements RecordShape<WriteOp> {
    private final VectorSpace space;
    private final NamespaceSchemas schemas = new NamespaceSchemas();

    VectorWrites(VectorSpace space) {
        this.space = space;
    }

    /** The metadata fields indexed in {@code namespace}: those of the index schema that its own schema declares too. */
    MetadataIndexing indexing(String namespace) {
        return space.indexing().and(schemas.of(namespace));
    }

    /** The metadata fields indexed in every namespace. */
    MetadataIndexing indexingEverywhere() {
        return space.indexing().and(schemas.everywhere());
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
    public void reload(Directory lastCommit) throws IOException {
        schemas.load(lastCommit);
    }

    @Override
    public void apply(IndexWriter writer, WriteOp op) throws IOException {
        switch (op) {
            case WriteOp.Upsert u -> {
                MetadataIndexing indexing = indexing(u.namespace());
                for (VectorRecord r : u.records()) {
                    writer.updateDocument(RecordFields.keyTerm(u.namespace(), r.id()),
                            RecordLayout.toDocument(u.namespace(), r, space, indexing));
                }
            }
            case WriteOp.DeleteIds d -> writer.deleteDocuments(RecordFields.keyTerms(d.namespace(), d.ids()));
            // Only the index schema here: the namespace's was checked before the filter was logged, and a
            // log written before namespace schemas applied may hold filters naming other fields (which
            // match as they did then, each record having been indexed with every field).
            case WriteOp.DeleteFilter f -> writer.deleteDocuments(
                    RecordQueries.inNamespace(f.namespace(), FilterQueries.toQuery(f.filter(), space.indexing())));
            case WriteOp.DeleteNamespace n -> {
                RecordFields.deleteNamespace(writer, n.namespace());
                schemas.deleted(n.namespace());
            }
            case WriteOp.DeclareNamespace n -> {
                RecordFields.declareNamespace(writer, n.namespace(), n.filterableFields());
                schemas.declared(n.namespace(), n.filterableFields());
            }
        }
    }
}
