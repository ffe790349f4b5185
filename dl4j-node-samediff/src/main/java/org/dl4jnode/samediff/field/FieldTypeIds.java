package org.dl4jnode.samediff.field;

import org.dl4jnode.samediff.json.NamedTypeIds;

import java.util.Map;

/** JSON type ids of vector fields: {@code "mlp"}, {@code "conv"}. */
final class FieldTypeIds extends NamedTypeIds {

    private static final Map<String, Class<?>> NAMES = Map.of("mlp", MlpField.class, "conv", ConvField.class);
    private static final Map<String, Class<?>> LEGACY = Map.of(
            "org.dl4jnode.samediff.field.MlpField", MlpField.class,
            "org.dl4jnode.samediff.field.ConvField", ConvField.class);

    FieldTypeIds() {
        super(NAMES, LEGACY);
    }
}
