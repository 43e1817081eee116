package io.conifer.api.data;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts between protobuf Struct (the wire form of metadata and filters) and plain Java maps. */
final class Structs {
    private Structs() {}

    static Map<String, Object> toMap(Struct s) {
        Map<String, Object> out = new LinkedHashMap<>();
        s.getFieldsMap().forEach((k, v) -> out.put(k, toJava(v)));
        return out;
    }

    private static Object toJava(Value v) {
        return switch (v.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> null;
            case NUMBER_VALUE -> v.getNumberValue();
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> v.getBoolValue();
            case STRUCT_VALUE -> toMap(v.getStructValue());
            case LIST_VALUE -> {
                List<Object> list = new ArrayList<>();
                for (Value item : v.getListValue().getValuesList()) list.add(toJava(item));
                yield list;
            }
        };
    }

    static Struct toStruct(Map<String, Object> map) {
        Struct.Builder b = Struct.newBuilder();
        map.forEach((k, v) -> b.putFields(k, toValue(v)));
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static Value toValue(Object v) {
        Value.Builder b = Value.newBuilder();
        if (v == null) return b.setNullValue(NullValue.NULL_VALUE).build();
        if (v instanceof String s) return b.setStringValue(s).build();
        if (v instanceof Number n) return b.setNumberValue(n.doubleValue()).build();
        if (v instanceof Boolean bool) return b.setBoolValue(bool).build();
        if (v instanceof List<?> list) {
            ListValue.Builder lb = ListValue.newBuilder();
            for (Object item : list) lb.addValues(toValue(item));
            return b.setListValue(lb).build();
        }
        if (v instanceof Map<?, ?> m) return b.setStructValue(toStruct((Map<String, Object>) m)).build();
        return b.setStringValue(v.toString()).build();
    }
}
