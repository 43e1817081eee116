package io.conifer.api.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.index.IndexDefinition;
import io.conifer.index.IndexManager;
import io.conifer.index.IndexRules;
import io.conifer.index.ReadCapacity;
import io.conifer.vectors.Limits;
import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads create/configure requests and writes IndexModel, following the 2025-10 control-plane spec. */
final class IndexJson {
    static final Set<String> CLOUDS = Set.of("aws", "gcp", "azure");
    static final int MAX_DIMENSION = 20_000;

    private IndexJson() {}

    static IndexManager.NewIndex createRequest(ObjectNode body) {
        String name = JsonBody.requiredString(body, "name", "");
        if (JsonBody.present(body, "embed")) {
            throw ConiferException.invalid("Integrated embedding ('embed') is not supported by Conifer: create the index with a "
                    + "dimension and upsert vectors");
        }
        ObjectNode spec = JsonBody.object(body, "spec", "");
        if (spec == null) throw JsonBody.unprocessable("Failed to deserialize the JSON body: missing field `spec`");
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
        Map<String, String> tags = JsonBody.stringMap(body, "tags");
        Map<String, String> kept = new LinkedHashMap<>();
        if (tags != null) {
            IndexRules.tags(tags);
            tags.forEach((k, v) -> {
                if (!v.isEmpty()) kept.put(k, v);
            });
            IndexRules.tagCount(kept);
        }
        return new IndexManager.NewIndex(name, type, dimension, metric, Boolean.TRUE.equals(protection), kept,
                s.cloud(), s.region(), s.filterableFields(), s.readCapacity() == null ? ReadCapacity.ON_DEMAND : s.readCapacity());
    }

    private record Spec(String cloud, String region, Set<String> filterableFields, ReadCapacity readCapacity) {}

    private static Spec spec(ObjectNode spec) {
        if (JsonBody.present(spec, "pod")) {
            throw ConiferException.invalid("Pod-based indexes are not supported by Conifer: use spec.serverless");
        }
        if (JsonBody.present(spec, "byoc")) {
            throw ConiferException.invalid("BYOC indexes are not supported by Conifer: use spec.serverless");
        }
        ObjectNode serverless = JsonBody.object(spec, "serverless", " in spec");
        if (serverless == null) {
            throw JsonBody.unprocessable("Failed to deserialize the JSON body: spec must contain `serverless`");
        }
        String cloud = JsonBody.requiredString(serverless, "cloud", " in spec.serverless");
        String region = JsonBody.requiredString(serverless, "region", " in spec.serverless");
        if (!CLOUDS.contains(cloud) || !region.matches("[a-z0-9-]{1,64}")) {
            throw ConiferException.notFound("Resource cloud: " + cloud + " region: " + region + " not found.");
        }
        if (JsonBody.present(serverless, "source_collection")) {
            throw ConiferException.invalid("Collections are not supported by Conifer: spec.serverless.source_collection cannot be used");
        }
        ReadCapacity rc = readCapacity(JsonBody.object(serverless, "read_capacity", " in spec.serverless"));
        return new Spec(cloud, region, schema(JsonBody.object(serverless, "schema", " in spec.serverless")), rc);
    }

    /**
     * A {@code read_capacity} as the spec's ReadCapacity schema has it, or null when absent. Dedicated
     * is accepted and kept (one process serves it; the status says so); its settings are checked as
     * Pinecone checks them.
     */
    static ReadCapacity readCapacity(ObjectNode rc) {
        if (rc == null) return null;
        String mode = JsonBody.requiredString(rc, "mode", " in read_capacity");
        if (mode.equals("OnDemand")) return ReadCapacity.ON_DEMAND;
        if (!mode.equals("Dedicated")) {
            throw ConiferException.invalid("read_capacity mode '" + mode + "' is not valid: use 'OnDemand' or 'Dedicated'");
        }
        ObjectNode dedicated = JsonBody.object(rc, "dedicated", " in read_capacity");
        if (dedicated == null) throw ConiferException.invalid("read_capacity mode 'Dedicated' needs read_capacity.dedicated");
        String nodeType = JsonBody.requiredString(dedicated, "node_type", " in read_capacity.dedicated");
        if (!nodeType.equals("b1") && !nodeType.equals("t1")) {
            throw ConiferException.invalid("read_capacity.dedicated.node_type '" + nodeType + "' is not valid: use 'b1' or 't1'");
        }
        String scaling = JsonBody.requiredString(dedicated, "scaling", " in read_capacity.dedicated");
        if (!scaling.equals("Manual")) {
            throw ConiferException.invalid("read_capacity.dedicated.scaling '" + scaling + "' is not valid: use 'Manual'");
        }
        ObjectNode manual = JsonBody.object(dedicated, "manual", " in read_capacity.dedicated");
        if (manual == null) throw ConiferException.invalid("Manual scaling needs read_capacity.dedicated.manual {replicas, shards}");
        Integer replicas = JsonBody.integer(manual, "replicas");
        Integer shards = JsonBody.integer(manual, "shards");
        if (replicas == null || replicas < 0) {
            throw ConiferException.invalid("read_capacity.dedicated.manual.replicas must be an integer of at least 0");
        }
        if (shards == null || shards < 1) {
            throw ConiferException.invalid("read_capacity.dedicated.manual.shards must be an integer of at least 1");
        }
        return new ReadCapacity(mode, nodeType, scaling, replicas, shards);
    }

    /** The spec's ReadCapacityResponse: what was asked for, and a status of what one process serves. */
    static ObjectNode readCapacityModel(ReadCapacity rc) {
        ObjectNode n = JsonBody.JSON.createObjectNode();
        n.put("mode", rc.mode());
        ObjectNode status = JsonBody.JSON.createObjectNode().put("state", "Ready");
        if (rc.isDedicated()) {
            ObjectNode dedicated = n.putObject("dedicated");
            dedicated.put("node_type", rc.nodeType());
            dedicated.put("scaling", rc.scaling());
            dedicated.putObject("manual").put("replicas", rc.replicas()).put("shards", rc.shards());
            status.put("current_replicas", ReadCapacity.SERVED_REPLICAS).put("current_shards", ReadCapacity.SERVED_SHARDS);
            if (rc.servedDifference() != null) status.put("error_message", rc.servedDifference());
        }
        n.set("status", status);
        return n;
    }

    private static Set<String> schema(ObjectNode schema) {
        if (schema == null) return null;
        ObjectNode fields = JsonBody.object(schema, "fields", " in schema");
        if (fields == null) throw JsonBody.unprocessable("Failed to deserialize the JSON body: missing field `fields` in schema");
        Set<String> names = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : fields.properties()) {
            Limits.schemaField(e.getKey());
            JsonNode f = e.getValue();
            JsonNode filterable = f == null ? null : f.get("filterable");
            if (filterable == null || !filterable.isBoolean()) {
                throw JsonBody.unprocessable("Failed to deserialize the JSON body: schema.fields." + e.getKey()
                        + ".filterable must be a boolean");
            }
            if (!filterable.booleanValue()) {
                throw ConiferException.invalid("schema.fields." + e.getKey() + ".filterable is false; only filterable: true is supported");
            }
            names.add(e.getKey());
        }
        return names;
    }

    /**
     * A served index's model. While its storage refuses writes (a full disk) it is still {@code ready}
     * (queries, fetches and stats are served) but its state is {@code Disabled}, the spec's only state
     * for an index that cannot take every operation.
     */
    static ObjectNode model(IndexManager.OpenIndex index, String advertiseHost) {
        ObjectNode n = model(index.definition(), advertiseHost);
        if (index.store() != null && index.store().writesRefused() != null) {
            ((ObjectNode) n.get("status")).put("state", "Disabled");
        }
        return n;
    }

    /**
     * An index's {@code host}, with the scheme its port speaks: Conifer's ports are plaintext, and the
     * SDKs that resolve an index by name (TypeScript 8 and 9, Python 8 and 9) keep a given scheme but
     * turn a scheme-less host into {@code https://}; the Java SDK strips the scheme for its gRPC
     * channel. An {@code --advertise-host} that carries a scheme (a TLS proxy in front) is kept as is.
     */
    static String host(IndexDefinition d, String advertiseHost) {
        return (advertiseHost.contains("://") ? advertiseHost : "http://" + advertiseHost) + ":" + d.port();
    }

    static ObjectNode model(IndexDefinition d, String advertiseHost) {
        ObjectNode n = JsonBody.JSON.createObjectNode();
        n.put("name", d.name());
        if (d.vectorType() == VectorType.DENSE) n.put("dimension", d.dimension());
        n.put("metric", d.metric().apiName());
        n.put("host", host(d, advertiseHost));
        n.put("deletion_protection", d.deletionProtection() ? "enabled" : "disabled");
        if (!d.tags().isEmpty()) {
            ObjectNode tags = n.putObject("tags");
            d.tags().forEach(tags::put);
        }
        ObjectNode serverless = n.putObject("spec").putObject("serverless");
        serverless.put("cloud", d.cloud());
        serverless.put("region", d.region());
        serverless.set("read_capacity", readCapacityModel(d.readCapacityOrDefault()));
        if (d.filterableFields() != null) {
            ObjectNode fields = serverless.putObject("schema").putObject("fields");
            for (String f : d.filterableFields()) fields.putObject(f).put("filterable", true);
        }
        ObjectNode status = n.putObject("status");
        status.put("ready", d.isReady());
        status.put("state", d.isReady() ? "Ready" : d.state().apiName());
        n.put("vector_type", d.vectorType().apiName());
        return n;
    }

    static ConiferException unsupported(String what) {
        return new ConiferException(ErrorCode.INVALID_ARGUMENT, what + " is not supported by Conifer");
    }
}
