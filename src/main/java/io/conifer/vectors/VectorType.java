package io.conifer.vectors;

public enum VectorType {
    DENSE("dense"),
    SPARSE("sparse");

    private final String apiName;

    VectorType(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    public static VectorType fromApi(String name) {
        for (VectorType t : values()) {
            if (t.apiName.equals(name)) return t;
        }
        return null;
    }
}
