package io.conifer.api.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import io.conifer.backup.BackupManifest;
import io.conifer.backup.BackupNotReadyException;
import io.conifer.backup.BackupStatus;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.index.Deployment;
import io.conifer.index.IndexDefinition;
import io.conifer.index.IndexManager;
import io.conifer.index.IndexRules;
import io.conifer.index.IndexSchema;
import io.conifer.index.ReadCapacity;
import io.conifer.index.ReadCapacityPatch;
import io.conifer.index.SchemaField;
import io.conifer.restore.RestoreJob;
import io.conifer.vectors.Limits;
import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorType;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * API 2025-10 and 2026-04 (identical on the control plane): an index is {@code dimension},
 * {@code metric}, {@code vector_type} and {@code spec.serverless}; the Java SDK 6.x and TS SDK 8.x
 * are strict about these shapes, so they are kept exactly.
 */
final class ClassicDialect implements ControlDialect {
    static final ClassicDialect INSTANCE = new ClassicDialect();
    /** These versions' IndexTags allow only letters, digits and ;@_-.+ and space in a value. */
    private static final IndexRules.TagValues TAG_VALUES = IndexRules.TagValues.CLASSIC;
    static final int MAX_DIMENSION = 20_000;

    private ClassicDialect() {}

    @Override
    public IndexManager.NewIndex createIndex(ObjectNode body) {
        String name = JsonBody.requiredString(body, "name", "");
        if (JsonBody.present(body, "embed")) {
            throw ConiferException.invalid("Integrated embedding ('embed') is not supported by Conifer: create the index with a "
                    + "dimension and upsert vectors");
        }
        ObjectNode spec = JsonBody.object(body, "spec", "");
        if (spec == null) throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: missing field `spec`");
        Spec s = spec(spec);
        IndexRules.name(name);
        String typeName = JsonBody.string(body, "vector_type", "");
        VectorType type = typeName == null ? VectorType.DENSE : VectorType.fromApi(typeName);
        if (type == null) throw ConiferException.invalid("Invalid vector_type '" + typeName + "': use 'dense' or 'sparse'");
        Integer dimension = JsonBody.integer(body, "dimension");
        String metricName = JsonBody.string(body, "metric", "");
        Metric metric = metricName == null ? null : Metric.fromApi(metricName);
        if (metricName != null && metric == null) {
            throw ConiferException.invalid("Invalid metric '" + metricName + "': use 'cosine', 'euclidean' or 'dotproduct'");
        }
        if (type == VectorType.SPARSE) {
            if (dimension != null) throw ConiferException.invalid("dimension must not be specified for a sparse index");
            if (metric != null && metric != Metric.DOTPRODUCT) {
                throw ConiferException.invalid("A sparse index requires the dotproduct metric, not '" + metricName + "'");
            }
            metric = Metric.DOTPRODUCT;
            dimension = 0;
        } else {
            if (dimension == null) throw ConiferException.invalid("dimension is required for a dense index (1-" + MAX_DIMENSION + ")");
            if (dimension < 1 || dimension > MAX_DIMENSION) {
                throw ConiferException.invalid("Invalid dimension " + dimension + ": it must be between 1 and " + MAX_DIMENSION);
            }
            if (metric == null) metric = Metric.COSINE;
        }
        Boolean protection = JsonBody.deletionProtection(body);
        Map<String, String> tags = JsonBody.createTags(body, TAG_VALUES);
        return new IndexManager.NewIndex(name, IndexSchema.vectors(type, dimension, metric, s.filterableFields()),
                s.deployment(), s.readCapacity() == null ? ReadCapacity.ON_DEMAND : s.readCapacity(), Boolean.TRUE.equals(protection),
                tags, null);
    }

    private record Spec(Deployment deployment, Set<String> filterableFields, ReadCapacity readCapacity) {}

    private static Spec spec(ObjectNode spec) {
        if (JsonBody.present(spec, "pod")) {
            throw ConiferException.invalid("Pod-based indexes are not supported by Conifer: use spec.serverless");
        }
        if (JsonBody.present(spec, "byoc")) {
            throw ConiferException.invalid("BYOC indexes are not supported by Conifer: use spec.serverless");
        }
        ObjectNode serverless = JsonBody.object(spec, "serverless", " in spec");
        if (serverless == null) {
            throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: spec must contain `serverless`");
        }
        String cloud = JsonBody.requiredString(serverless, "cloud", " in spec.serverless");
        String region = JsonBody.requiredString(serverless, "region", " in spec.serverless");
        Deployment deployment = JsonBody.deployment(cloud, region);
        if (JsonBody.present(serverless, "source_collection")) {
            throw ConiferException.invalid("Collections are not supported by Conifer: spec.serverless.source_collection cannot be used");
        }
        ReadCapacity rc = ReadCapacityJson.read(JsonBody.object(serverless, "read_capacity", " in spec.serverless"));
        return new Spec(deployment, schema(JsonBody.object(serverless, "schema", " in spec.serverless")), rc);
    }

    private static Set<String> schema(ObjectNode schema) {
        if (schema == null) return null;
        ObjectNode fields = JsonBody.object(schema, "fields", " in schema");
        if (fields == null) throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: missing field `fields` in schema");
        Limits.schemaFieldCount(fields.size());
        Set<String> names = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : fields.properties()) {
            Limits.schemaField(e.getKey());
            if (!(e.getValue() instanceof ObjectNode f)) {
                throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: schema.fields." + e.getKey()
                        + " must be an object");
            }
            // Absent or null is refused as false is, in the spec's words; a value of another type cannot be read.
            JsonNode filterable = f.get("filterable");
            if (filterable != null && !filterable.isNull() && !filterable.isBoolean()) {
                throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: schema.fields." + e.getKey()
                        + ".filterable must be a boolean");
            }
            Limits.schemaFilterable(e.getKey(), filterable != null && filterable.booleanValue());
            names.add(e.getKey());
        }
        return names;
    }

    @Override
    public IndexManager.Changes configureIndex(ObjectNode req) {
        if (JsonBody.present(req, "embed")) throw JsonBody.unsupported("Integrated embedding ('embed')");
        ObjectNode spec = JsonBody.object(req, "spec", "");
        ReadCapacityPatch readCapacity = null;
        if (spec != null) {
            if (JsonBody.present(spec, "pod") || JsonBody.present(spec, "byoc")) {
                throw ConiferException.invalid("This is a serverless index: only spec.serverless can be configured");
            }
            ObjectNode serverless = JsonBody.object(spec, "serverless", " in spec");
            if (serverless != null) {
                readCapacity = ReadCapacityJson.readPatch(JsonBody.object(serverless, "read_capacity", " in spec.serverless"), false);
            }
        }
        Boolean protection = JsonBody.deletionProtection(req);
        Map<String, String> tags = JsonBody.tags(req, TAG_VALUES);
        return new IndexManager.Changes(protection, tags, readCapacity);
    }

    @Override
    public BackupRequest backupRequest(ObjectNode req) {
        return new BackupRequest(JsonBody.string(req, "name", ""), JsonBody.string(req, "description", ""));
    }

    @Override
    public RestoreRequest restoreRequest(ObjectNode req) {
        return new RestoreRequest(JsonBody.requiredString(req, "name", ""), JsonBody.tags(req, TAG_VALUES),
                JsonBody.deletionProtection(req), null);
    }

    /**
     * IndexModel of the 2025-10 spec. A document index (API 2026-07) is shown by what this model can
     * say of it: as a dense index of its dense vector field when it has one, else as a sparse index, so
     * an older SDK lists, describes, tags, backs up and deletes it like any other.
     */
    @Override
    public ObjectNode index(IndexDefinition d, String host) {
        IndexSchema schema = d.schema();
        SchemaField.DenseVector dense = dense(schema);
        ObjectNode n = JsonBody.JSON.createObjectNode();
        n.put("name", d.name());
        if (dense != null) n.put("dimension", dense.dimension());
        n.put("metric", dense != null ? dense.metric().apiName() : Metric.DOTPRODUCT.apiName());
        n.put("host", host);
        n.put("deletion_protection", d.deletionProtection() ? "enabled" : "disabled");
        if (!d.tags().isEmpty()) {
            ObjectNode tags = n.putObject("tags");
            d.tags().forEach(tags::put);
        }
        ObjectNode serverless = n.putObject("spec").putObject("serverless");
        serverless.put("cloud", d.deployment().cloud());
        serverless.put("region", d.deployment().region());
        serverless.set("read_capacity", ReadCapacityJson.model(d.readCapacityOrDefault()));
        putMetadataSchema(serverless, schema.filterableFields());
        ObjectNode status = n.putObject("status");
        status.put("ready", d.isReady());
        status.put("state", d.isReady() ? "Ready" : d.state().apiName());
        n.put("vector_type", (dense != null ? VectorType.DENSE : VectorType.SPARSE).apiName());
        return n;
    }

    /** The index's dense vectors: {@code _values}, or a document index's dense vector field. */
    private static SchemaField.DenseVector dense(IndexSchema schema) {
        for (SchemaField f : schema.fields().values()) {
            if (f instanceof SchemaField.DenseVector d) return d;
        }
        return null;
    }

    private static void putMetadataSchema(ObjectNode parent, Set<String> filterable) {
        if (filterable == null) return;
        ObjectNode fields = parent.putObject("schema").putObject("fields");
        for (String f : filterable) fields.putObject(f).put("filterable", true);
    }

    /** BackupModel of the 2025-10 spec, with nothing the SDKs' strict models would reject. */
    @Override
    public ObjectNode backup(BackupManifest m, String sourceDeletedAt) {
        IndexSchema schema = m.indexSchema();
        ObjectNode n = SharedFields.backup(m, null, m.status().name());
        // A sparse index has no dimension, so its backup has none either; a salvaged manifest knows neither.
        SchemaField.DenseVector dense = dense(schema);
        if (dense != null) n.put("dimension", dense.dimension());
        if (!schema.fields().isEmpty()) n.put("metric", dense != null ? dense.metric().apiName() : Metric.DOTPRODUCT.apiName());
        putMetadataSchema(n, schema.filterableFields());
        n.put("record_count", int32(m.recordCount()));
        n.put("namespace_count", m.namespaceCount());
        if (m.status() == BackupStatus.Ready) n.put("size_bytes", int32(m.sizeBytes()));
        if (m.tags() != null && !m.tags().isEmpty()) {
            ObjectNode tags = n.putObject("tags");
            m.tags().forEach(tags::put);
        }
        n.put("created_at", m.createdAt());
        return n;
    }

    /**
     * These specs give BackupModel's counts no format, so clients generated from them, the Java SDK 6.x
     * among them, read each as a 32-bit Integer and fail on a larger number: a backup over 2 GiB would
     * make describe and list backups throw. Such a count is reported as 2,147,483,647 instead; 2026-07
     * declares int64 and reports it in full. ({@code namespace_count} is an int already.)
     */
    private static int int32(long count) {
        return (int) Math.min(count, Integer.MAX_VALUE);
    }

    /** RestoreJobModel of the 2025-10 spec. */
    @Override
    public ObjectNode restoreJob(RestoreJob j) {
        ObjectNode n = SharedFields.restoreJob(j, j.status().name());
        if (j.completedAt() != null) n.put("completed_at", j.completedAt());
        n.put("percent_complete", j.percentComplete());
        return n;
    }

    @Override
    public HttpStatus indexCreated() {
        return HttpStatus.CREATED;
    }

    @Override
    public HttpStatus indexConfigured() {
        return HttpStatus.ACCEPTED;
    }

    @Override
    public HttpStatus backupCreated() {
        return HttpStatus.CREATED;
    }

    @Override
    public boolean deletesBackupsRestoresRead() {
        return false;
    }

    @Override
    public int defaultPageSize() {
        return 10;
    }

    /** These versions answered a restore from an unfinished backup with 400, and clients rely on it. */
    @Override
    public ErrorCode code(ConiferException e) {
        return e instanceof BackupNotReadyException ? ErrorCode.INVALID_ARGUMENT : e.code();
    }

    @Override
    public String codeName(ErrorCode code) {
        return code.controlPlaneName();
    }

    @Override
    public HttpResponse unauthorized(String message) {
        return ControlPlaneErrors.response(ErrorCode.UNAUTHENTICATED, message);
    }
}
