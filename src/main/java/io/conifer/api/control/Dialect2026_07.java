package io.conifer.api.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import io.conifer.backup.BackupManifest;
import io.conifer.backup.BackupStatus;
import io.conifer.documents.TextLanguage;
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
import io.conifer.vectors.Metric;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * API 2026-07: an index is a typed {@code schema} plus a {@code deployment}; vector indexes are the
 * schemas of the reserved fields {@code _values} / {@code _sparse_values}. Requests are checked in
 * the spec's two tiers: a body that cannot be read as the request type is 422, a readable value that
 * breaks a rule is 400.
 */
final class Dialect2026_07 implements ControlDialect {
    static final Dialect2026_07 INSTANCE = new Dialect2026_07();
    /** 2026-07 widened IndexTags values to any printable ASCII. */
    private static final IndexRules.TagValues TAG_VALUES = IndexRules.TagValues.PRINTABLE_ASCII;
    private static final int MAX_FIELD_NAME_BYTES = 64;
    private static final int MAX_DESCRIPTION_BYTES = 256;
    private static final int MAX_TEXT_FIELDS = 100;
    private static final Set<String> CREATE_KEYS =
            Set.of("name", "deployment", "schema", "cmek_id", "read_capacity", "tags", "deletion_protection");
    private static final Set<String> CONFIGURE_KEYS = Set.of("deployment", "schema", "read_capacity", "tags", "deletion_protection");
    private static final Set<String> METADATA_TYPES = Set.of("float", "number", "boolean", "string_list", "integer");

    private Dialect2026_07() {}

    @Override
    public IndexManager.NewIndex createIndex(ObjectNode body) {
        onlyKeys(body, CREATE_KEYS, "");
        ObjectNode schemaNode = JsonBody.object(body, "schema", "");
        if (schemaNode == null) throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: missing field `schema`");
        String name = JsonBody.string(body, "name", "");
        if (name != null) IndexRules.name(name);
        Deployment deployment = deployment(JsonBody.object(body, "deployment", ""));
        ReadCapacity capacity = ReadCapacityJson.read(JsonBody.object(body, "read_capacity", ""));
        if (JsonBody.present(body, "cmek_id")) throw JsonBody.unsupported("Customer-managed encryption keys (cmek_id)");
        Boolean protection = JsonBody.deletionProtection(body);
        Map<String, String> tags = JsonBody.createTags(body, TAG_VALUES);
        IndexSchema schema = schema(schemaNode);
        return new IndexManager.NewIndex(name != null ? name : generatedName(), schema, deployment,
                capacity != null ? capacity : ReadCapacity.ON_DEMAND, Boolean.TRUE.equals(protection), tags, null);
    }

    /** A name within the index name rules that no caller is likely to have chosen. */
    private static String generatedName() {
        return "index-" + UUID.randomUUID().toString().substring(0, 13);
    }

    private static void onlyKeys(ObjectNode node, Set<String> allowed, String where) {
        for (String key : (Iterable<String>) node::fieldNames) {
            if (!allowed.contains(key)) {
                throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: unknown field `"
                        + key + "`" + where + ", expected one of " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    private static Deployment deployment(ObjectNode d) {
        if (d == null) return Deployment.DEFAULT;
        String type = JsonBody.requiredString(d, "deployment_type", " in deployment");
        switch (type) {
            case "managed" -> {
                onlyKeys(d, Set.of("deployment_type", "cloud", "region", "environment"), " in deployment");
                if (JsonBody.present(d, "environment")) {
                    throw ConiferException.invalid("deployment.environment is read-only: do not set it when creating an index");
                }
                return JsonBody.deployment(JsonBody.requiredString(d, "cloud", " in deployment"),
                        JsonBody.requiredString(d, "region", " in deployment"));
            }
            case "byoc" -> throw JsonBody.unsupported("BYOC deployment (deployment_type 'byoc'); use 'managed'");
            default -> throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: deployment_type: unknown"
                    + " variant `" + type + "`, expected `managed` or `byoc`");
        }
    }

    private static IndexSchema schema(ObjectNode schemaNode) {
        ObjectNode fields = JsonBody.object(schemaNode, "fields", " in schema");
        if (fields == null) throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: missing field `fields` in schema");
        if (fields.isEmpty()) {
            throw ConiferException.invalid("Schema must contain at least one of the following field types: dense_vector, sparse_vector,"
                    + " string with full_text_search");
        }
        Map<String, SchemaField> out = new LinkedHashMap<>();
        int dense = 0, sparse = 0, text = 0;
        boolean reserved = false;
        for (Map.Entry<String, JsonNode> e : fields.properties()) {
            String name = e.getKey();
            String where = " in schema.fields." + name;
            if (!(e.getValue() instanceof ObjectNode f)) throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: schema.fields." + name + " must be an object");
            String type = JsonBody.requiredString(f, "type", where);
            String description = JsonBody.string(f, "description", where);
            fieldName(name);
            boolean isReserved = name.equals(IndexSchema.DENSE_VALUES) || name.equals(IndexSchema.SPARSE_VALUES);
            reserved |= isReserved;
            if (isReserved && description != null) throw ConiferException.invalid("Reserved field '" + name + "' does not accept a description");
            if (description != null && description.getBytes(StandardCharsets.UTF_8).length > MAX_DESCRIPTION_BYTES) {
                throw ConiferException.invalid("The description of field '" + name + "' is longer than " + MAX_DESCRIPTION_BYTES + " bytes");
            }
            switch (type) {
                case "dense_vector" -> {
                    onlyKeys(f, Set.of("type", "description", "dimension", "metric"), where);
                    if (name.equals(IndexSchema.SPARSE_VALUES)) throw ConiferException.invalid("Reserved field '_sparse_values' must have type sparse_vector");
                    Integer dimension = JsonBody.integer(f, "dimension");
                    if (dimension == null) throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: missing field `dimension`" + where);
                    String metricName = JsonBody.requiredString(f, "metric", where);
                    if (dimension < 1 || dimension > ClassicDialect.MAX_DIMENSION) {
                        throw ConiferException.invalid("Invalid dimension " + dimension + " for field '" + name + "': it must be between 1 and "
                                + ClassicDialect.MAX_DIMENSION);
                    }
                    Metric metric = Metric.fromApi(metricName);
                    if (metric == null) throw ConiferException.invalid("Invalid metric '" + metricName + "' for field '" + name + "': use 'cosine', 'euclidean' or 'dotproduct'");
                    out.put(name, new SchemaField.DenseVector(dimension, metric, description));
                    dense++;
                }
                case "sparse_vector" -> {
                    onlyKeys(f, Set.of("type", "description"), where);
                    if (name.equals(IndexSchema.DENSE_VALUES)) throw ConiferException.invalid("Reserved field '_values' must have type dense_vector");
                    out.put(name, new SchemaField.SparseVector(description));
                    sparse++;
                }
                case "string" -> {
                    onlyKeys(f, Set.of("type", "description", "full_text_search"), where);
                    ObjectNode fts = JsonBody.object(f, "full_text_search", where);
                    if (fts == null) {
                        throw ConiferException.invalid("Field '" + name + "' is a string without full_text_search: metadata fields are not"
                                + " declared in the schema; include them as metadata and they are indexed for filtering");
                    }
                    out.put(name, new SchemaField.FullTextString(description, fullTextSearch(fts, name)));
                    text++;
                }
                case "semantic_text" -> throw ConiferException.invalid("Field '" + name + "': semantic_text cannot be declared in a schema;"
                        + " integrated embedding (create_for_model) is not supported by Conifer");
                default -> {
                    if (METADATA_TYPES.contains(type)) {
                        throw ConiferException.invalid("Field '" + name + "' has the metadata type '" + type + "': metadata fields are not"
                                + " declared in the schema; include them as metadata and they are indexed for filtering");
                    }
                    throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: schema.fields." + name
                            + ".type: unknown variant `" + type + "`, expected one of `dense_vector`, `sparse_vector`, `string`");
                }
            }
        }
        if (reserved && fields.size() != (fields.has(IndexSchema.DENSE_VALUES) ? 1 : 0) + (fields.has(IndexSchema.SPARSE_VALUES) ? 1 : 0)) {
            throw ConiferException.invalid("The reserved fields _values and _sparse_values are accepted only as the whole schema"
                    + " (a vector index); do not combine them with other fields");
        }
        if (dense > 1) throw ConiferException.invalid("A schema may have at most one dense_vector field; this one has " + dense);
        if (sparse > 1) throw ConiferException.invalid("A schema may have at most one sparse_vector field; this one has " + sparse);
        if (text > MAX_TEXT_FIELDS) throw ConiferException.invalid("A schema may have at most " + MAX_TEXT_FIELDS + " full_text_search fields");
        if (reserved && dense == 1 && sparse == 1) {
            // A vector index reports _sparse_values beside _values; it stores its dense field alone.
            out.remove(IndexSchema.SPARSE_VALUES);
        }
        return new IndexSchema(out);
    }

    private static void fieldName(String name) {
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_FIELD_NAME_BYTES) {
            throw ConiferException.invalid("Invalid field name '" + name + "': field names must be 1-" + MAX_FIELD_NAME_BYTES + " bytes");
        }
        if (name.startsWith("$")) throw ConiferException.invalid("Invalid field name '" + name + "': names must not start with '$'");
        if (name.startsWith("_") && !name.equals(IndexSchema.DENSE_VALUES) && !name.equals(IndexSchema.SPARSE_VALUES)) {
            throw ConiferException.invalid("Invalid field name '" + name + "': names starting with '_' are reserved");
        }
    }

    /**
     * The spec's defaults (language en, no stemming, no stop words) and rules; the language is checked
     * here, so an index is never created that could not analyse its text.
     */
    private static SchemaField.FullTextSearch fullTextSearch(ObjectNode fts, String field) {
        String where = " in schema.fields." + field + ".full_text_search";
        onlyKeys(fts, Set.of("language", "stemming", "stop_words", "ngram"), where);
        String language = JsonBody.string(fts, "language", where);
        if (language == null) language = TextLanguage.DEFAULT;
        if (TextLanguage.of(language) == null) {
            throw ConiferException.invalid("Field '" + field + "': unsupported language '" + language + "'. Supported languages"
                    + " (by code or name): " + TextLanguage.supported());
        }
        boolean stemming = bool(fts, "stemming", where);
        boolean stopWords = bool(fts, "stop_words", where);
        if (stopWords && !stemming) throw ConiferException.invalid("Field '" + field + "': stop_words requires stemming: true");
        ObjectNode ngramNode = JsonBody.object(fts, "ngram", where);
        SchemaField.Ngram ngram = null;
        if (ngramNode != null) {
            onlyKeys(ngramNode, Set.of("min_gram", "max_gram", "prefix_only"), where + ".ngram");
            Integer min = JsonBody.integer(ngramNode, "min_gram");
            Integer max = JsonBody.integer(ngramNode, "max_gram");
            boolean prefixOnly = bool(ngramNode, "prefix_only", where + ".ngram");
            if (min == null || max == null) throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: ngram needs `min_gram` and `max_gram`" + where);
            if (min < 1 || max > 10 || min > max) {
                throw ConiferException.invalid("Field '" + field + "': ngram needs 1 <= min_gram <= max_gram <= 10; got min_gram "
                        + min + ", max_gram " + max);
            }
            if (stemming || stopWords) throw ConiferException.invalid("Field '" + field + "': ngram cannot be combined with stemming or stop_words");
            ngram = new SchemaField.Ngram(min, max, prefixOnly);
        }
        return new SchemaField.FullTextSearch(language, stemming, stopWords, ngram);
    }

    private static boolean bool(ObjectNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return false;
        if (!n.isBoolean()) throw JsonBody.unprocessable("Failed to deserialize the JSON body into the target type: `" + field + "`" + where + " must be a boolean");
        return n.booleanValue();
    }

    @Override
    public IndexManager.Changes configureIndex(ObjectNode req) {
        onlyKeys(req, CONFIGURE_KEYS, "");
        if (JsonBody.present(req, "deployment")) {
            throw ConiferException.invalid("deployment can be configured only for pod-based indexes; this is a managed index");
        }
        if (JsonBody.present(req, "schema")) {
            throw ConiferException.invalid("The schema of an index cannot be changed; only semantic_text fields can be configured,"
                    + " and this index has none");
        }
        ReadCapacityPatch capacity = ReadCapacityJson.readPatch(JsonBody.object(req, "read_capacity", ""), true);
        Boolean protection = JsonBody.deletionProtection(req);
        Map<String, String> tags = JsonBody.tags(req, TAG_VALUES);
        return new IndexManager.Changes(protection, tags, capacity);
    }

    @Override
    public BackupRequest backupRequest(ObjectNode req) {
        String name = JsonBody.string(req, "name", "");
        if (name != null) IndexRules.resourceName("backup", name);
        return new BackupRequest(name, JsonBody.string(req, "description", ""));
    }

    @Override
    public RestoreRequest restoreRequest(ObjectNode req) {
        return new RestoreRequest(JsonBody.requiredString(req, "name", ""), JsonBody.tags(req, TAG_VALUES),
                JsonBody.deletionProtection(req), ReadCapacityJson.read(JsonBody.object(req, "read_capacity", "")));
    }

    @Override
    public ObjectNode index(IndexDefinition d, String host) {
        ObjectNode n = JsonBody.JSON.createObjectNode();
        n.put("name", d.name());
        n.put("host", host);
        ObjectNode status = n.putObject("status");
        status.put("ready", d.isReady());
        status.put("state", d.isReady() ? "Ready" : d.state().apiName());
        ObjectNode deployment = n.putObject("deployment");
        deployment.put("deployment_type", "managed");
        deployment.put("cloud", d.deployment().cloud());
        deployment.put("region", d.deployment().region());
        n.set("read_capacity", ReadCapacityJson.model(d.readCapacityOrDefault()));
        if (d.sourceBackupId() != null) n.put("source_backup_id", d.sourceBackupId());
        n.set("schema", schema(d.schema()));
        tags(n, d.tags());
        n.put("deletion_protection", d.deletionProtection() ? "enabled" : "disabled");
        return n;
    }

    /** Vector indexes report their vectors under the reserved names, and a dense one always both of them. */
    static ObjectNode schema(IndexSchema schema) {
        ObjectNode out = JsonBody.JSON.createObjectNode();
        ObjectNode fields = out.putObject("fields");
        schema.fields().forEach((name, f) -> {
            ObjectNode field = fields.putObject(name);
            switch (f) {
                case SchemaField.DenseVector dv -> {
                    field.put("type", "dense_vector");
                    field.put("dimension", dv.dimension());
                    field.put("metric", dv.metric().apiName());
                    field.put("description", dv.description());
                }
                case SchemaField.SparseVector sv -> {
                    field.put("type", "sparse_vector");
                    field.put("description", sv.description());
                }
                case SchemaField.FilterableMetadata fm -> field.put("filterable", true);
                case SchemaField.FullTextString ft -> {
                    field.put("type", "string");
                    field.put("description", ft.description());
                    ObjectNode fts = field.putObject("full_text_search");
                    fts.put("language", ft.fullTextSearch().language());
                    fts.put("stemming", ft.fullTextSearch().stemming());
                    fts.put("stop_words", ft.fullTextSearch().stopWords());
                    SchemaField.Ngram ngram = ft.fullTextSearch().ngram();
                    if (ngram != null) {
                        fts.putObject("ngram").put("min_gram", ngram.minGram()).put("max_gram", ngram.maxGram())
                                .put("prefix_only", ngram.prefixOnly());
                    }
                }
            }
        });
        if (schema.isVectorIndex() && schema.denseValues() != null && !fields.has(IndexSchema.SPARSE_VALUES)) {
            fields.putObject(IndexSchema.SPARSE_VALUES).put("type", "sparse_vector").putNull("description");
        }
        return out;
    }

    /** The spec's {@code tags}: {@code null} when no tags are set. */
    static void tags(ObjectNode n, Map<String, String> tags) {
        if (tags == null || tags.isEmpty()) {
            n.putNull("tags");
            return;
        }
        ObjectNode t = n.putObject("tags");
        tags.forEach(t::put);
    }

    @Override
    public ObjectNode backup(BackupManifest m, String sourceDeletedAt) {
        ObjectNode n = SharedFields.backup(m, sourceDeletedAt,
                m.status() == BackupStatus.Failed ? "InitializationFailed" : m.status().name());
        n.set("schema", schema(m.indexSchema()));
        n.put("record_count", m.recordCount());
        n.put("namespace_count", m.namespaceCount());
        if (m.status() == BackupStatus.Ready) n.put("size_bytes", m.sizeBytes());
        tags(n, m.tags());
        n.put("created_at", m.createdAt());
        return n;
    }

    /**
     * 2026-07 knows no InProgress state: a running job is Pending. Progress is an integer; a failed
     * job reports none.
     */
    @Override
    public ObjectNode restoreJob(RestoreJob j) {
        ObjectNode n = SharedFields.restoreJob(j, j.active() ? "Pending" : j.status().name());
        n.put("completed_at", j.completedAt());
        if (j.status() != RestoreJob.Status.Failed) n.put("percent_complete", (int) Math.floor(j.percentComplete()));
        return n;
    }

    @Override
    public HttpStatus indexCreated() {
        return HttpStatus.CREATED;
    }

    @Override
    public HttpStatus indexConfigured() {
        return HttpStatus.OK;
    }

    @Override
    public HttpStatus backupCreated() {
        return HttpStatus.OK;
    }

    @Override
    public boolean deletesBackupsRestoresRead() {
        return true;
    }

    @Override
    public int defaultPageSize() {
        return 100;
    }

    @Override
    public ErrorCode code(ConiferException e) {
        return e.code();
    }

    /** The 2026-07 error vocabulary names a 503 SERVICE_UNAVAILABLE and a 413 PAYLOAD_TOO_LARGE. */
    @Override
    public String codeName(ErrorCode code) {
        return switch (code) {
            case UNAVAILABLE -> "SERVICE_UNAVAILABLE";
            case PAYLOAD_TOO_LARGE -> "PAYLOAD_TOO_LARGE";
            default -> code.controlPlaneName();
        };
    }

    /** Authentication failures are plain text in 2026-07, as they are rejected before the API proper. */
    @Override
    public HttpResponse unauthorized(String message) {
        return HttpResponse.of(HttpStatus.UNAUTHORIZED, MediaType.PLAIN_TEXT_UTF_8, message);
    }
}
