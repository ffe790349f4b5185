package org.dl4jnode.samediff.regularizer;

import org.dl4jnode.samediff.json.NamedTypeIds;

import java.util.Map;

/**
 * JSON type ids of flow regularisers: {@code "kineticEnergy"}, {@code "jacobianFrobenius"},
 * {@code "finalStateStability"}.
 */
final class RegularizerTypeIds extends NamedTypeIds {

    private static final Map<String, Class<?>> NAMES = Map.of("kineticEnergy", KineticEnergy.class,
            "jacobianFrobenius", JacobianFrobenius.class, "finalStateStability", FinalStateStability.class);

    RegularizerTypeIds() {
        super(NAMES, Map.of());
    }
}
