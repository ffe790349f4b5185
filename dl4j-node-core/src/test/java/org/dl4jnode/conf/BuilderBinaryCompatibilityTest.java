package org.dl4jnode.conf;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.TypeVariable;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Code compiled against release 0.1.0 calls the builders' setters by their erased signature, which
 * returned {@code BaseOdeLayer.Builder}; the setters that moved to {@code AbstractOdeLayerBuilder}
 * keep that signature, or such code fails with {@code NoSuchMethodError}.
 */
class BuilderBinaryCompatibilityTest {

    @Test
    void everyChainedSetterErasesToBaseOdeLayerBuilder() throws NoSuchMethodException {
        List<Method> setters = Arrays.stream(AbstractOdeLayerBuilder.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.isSynthetic())
                .filter(m -> m.getGenericReturnType() instanceof TypeVariable<?>)
                .toList();
        assertThat(setters).extracting(Method::getName)
                .contains("field", "solver", "steps", "tolerances", "gradient", "timeSpan", "outputTimes");
        for (Method setter : setters) {
            // as a call compiled against 0.1.0 resolves it: on the concrete builder, by name and parameters
            Method linked = OdeLayer.Builder.class.getMethod(setter.getName(), setter.getParameterTypes());
            assertThat(linked.getReturnType()).as(setter.getName()).isEqualTo(BaseOdeLayer.Builder.class);
        }
    }
}
