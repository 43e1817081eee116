package io.conifer.api.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.error.ConiferException;
import io.conifer.index.ReadCapacity;
import io.conifer.index.ReadCapacityPatch;

/** {@code read_capacity} as every API version reads and writes it (2025-10 in spec.serverless, 2026-07 at the top). */
final class ReadCapacityJson {
    private ReadCapacityJson() {}

    /**
     * A {@code read_capacity} as the spec's ReadCapacity schema has it, or null when absent. Dedicated
     * is accepted and kept (one process serves it; the status says so); its settings are checked as
     * Pinecone checks them.
     */
    static ReadCapacity read(ObjectNode rc) {
        if (rc == null) return null;
        if (mode(rc).equals("OnDemand")) return ReadCapacity.ON_DEMAND;
        ObjectNode dedicated = dedicated(rc);
        String nodeType = nodeType(JsonBody.requiredString(dedicated, "node_type", " in read_capacity.dedicated"));
        String scaling = scaling(JsonBody.requiredString(dedicated, "scaling", " in read_capacity.dedicated"));
        ObjectNode manual = JsonBody.object(dedicated, "manual", " in read_capacity.dedicated");
        if (manual == null) throw ConiferException.invalid("Manual scaling needs read_capacity.dedicated.manual {replicas, shards}");
        Integer replicas = JsonBody.integer(manual, "replicas");
        Integer shards = JsonBody.integer(manual, "shards");
        if (replicas == null) throw badReplicas();
        if (shards == null) throw badShards();
        return new ReadCapacity("Dedicated", nodeType, scaling, replicas(replicas), shards(shards));
    }

    /**
     * A configure_index {@code read_capacity}, or null when absent: every dedicated setting is optional
     * (ReadCapacityDedicatedConfig of 2025-10 requires none; ReadCapacityDedicatedPatchConfig of 2026-07
     * neither), each given one is checked here, and {@link ReadCapacityPatch#applyTo} fills in the rest
     * from the index. {@code scalingWithManual}: 2026-07 takes {@code scaling} and {@code manual} only
     * as a pair, since its schema has no other way to say which scaling a {@code manual} block is for.
     */
    static ReadCapacityPatch readPatch(ObjectNode rc, boolean scalingWithManual) {
        if (rc == null) return null;
        if (mode(rc).equals("OnDemand")) return ReadCapacityPatch.ON_DEMAND;
        ObjectNode dedicated = dedicated(rc);
        String nodeType = JsonBody.string(dedicated, "node_type", " in read_capacity.dedicated");
        String scaling = JsonBody.string(dedicated, "scaling", " in read_capacity.dedicated");
        ObjectNode manual = JsonBody.object(dedicated, "manual", " in read_capacity.dedicated");
        if (scalingWithManual && (scaling == null) != (manual == null)) {
            throw ConiferException.invalid("read_capacity.dedicated.scaling and read_capacity.dedicated.manual go together: send"
                    + " both (scaling 'Manual' with manual {replicas, shards}), or neither to change only node_type");
        }
        Integer replicas = manual == null ? null : JsonBody.integer(manual, "replicas");
        Integer shards = manual == null ? null : JsonBody.integer(manual, "shards");
        return new ReadCapacityPatch("Dedicated", nodeType == null ? null : nodeType(nodeType), scaling == null ? null : scaling(scaling),
                replicas == null ? null : replicas(replicas), shards == null ? null : shards(shards));
    }

    private static String mode(ObjectNode rc) {
        String mode = JsonBody.requiredString(rc, "mode", " in read_capacity");
        if (!mode.equals("OnDemand") && !mode.equals("Dedicated")) {
            throw ConiferException.invalid("read_capacity mode '" + mode + "' is not valid: use 'OnDemand' or 'Dedicated'");
        }
        return mode;
    }

    private static ObjectNode dedicated(ObjectNode rc) {
        ObjectNode dedicated = JsonBody.object(rc, "dedicated", " in read_capacity");
        if (dedicated == null) throw ConiferException.invalid("read_capacity mode 'Dedicated' needs read_capacity.dedicated");
        return dedicated;
    }

    private static String nodeType(String nodeType) {
        if (!nodeType.equals("b1") && !nodeType.equals("t1")) {
            throw ConiferException.invalid("read_capacity.dedicated.node_type '" + nodeType + "' is not valid: use 'b1' or 't1'");
        }
        return nodeType;
    }

    private static String scaling(String scaling) {
        if (!scaling.equals("Manual")) {
            throw ConiferException.invalid("read_capacity.dedicated.scaling '" + scaling + "' is not valid: use 'Manual'");
        }
        return scaling;
    }

    private static int replicas(int replicas) {
        if (replicas < 0) throw badReplicas();
        return replicas;
    }

    private static int shards(int shards) {
        if (shards < 1) throw badShards();
        return shards;
    }

    private static ConiferException badReplicas() {
        return ConiferException.invalid("read_capacity.dedicated.manual.replicas must be an integer of at least 0");
    }

    private static ConiferException badShards() {
        return ConiferException.invalid("read_capacity.dedicated.manual.shards must be an integer of at least 1");
    }

    /** The spec's ReadCapacityResponse: what was asked for, and a status of what one process serves. */
    static ObjectNode model(ReadCapacity rc) {
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
}
