package org.dl4jnode.samediff.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a test class in double precision, ND4J's default data types set to DOUBLE, and restores the
 * previous defaults after it, so that the classes that run after it in the same JVM see float as
 * before: {@code @ExtendWith(DoublePrecision.class)}. Gradient checks and numerical tests against
 * closed forms need double.
 */
public final class DoublePrecision implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DoublePrecision.class);

    /** The defaults before the class ran: ND4J's data type and its floating-point type. */
    private record Defaults(DataType dataType, DataType floatingPoint) {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put(Defaults.class, new Defaults(Nd4j.dataType(), Nd4j.defaultFloatingPointType()));
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Defaults before = context.getStore(NAMESPACE).remove(Defaults.class, Defaults.class);
        if (before != null) {
            Nd4j.setDefaultDataTypes(before.dataType(), before.floatingPoint());
        }
    }
}
