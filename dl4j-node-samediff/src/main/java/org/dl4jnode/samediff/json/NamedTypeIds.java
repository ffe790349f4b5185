package org.dl4jnode.samediff.json;

import org.nd4j.shade.jackson.annotation.JsonTypeInfo;
import org.nd4j.shade.jackson.databind.DatabindContext;
import org.nd4j.shade.jackson.databind.JavaType;
import org.nd4j.shade.jackson.databind.jsontype.impl.TypeIdResolverBase;

import java.io.IOException;
import java.util.Map;

/**
 * Type ids of the project's polymorphic JSON values (fields, bases): a logical name for each of the
 * project's own types ({@code "mlp"}, {@code "fourier"}), so that moving or renaming a class does not
 * break saved models. Reads, besides the names, the fully qualified class names that earlier
 * releases wrote (listed as strings, so they keep working after the classes move) and, for types of
 * users' own, any class name of a subtype of the base type, which is also how such types are written.
 *
 * <p>The id goes in the {@code "@class"} property, as DL4J writes the type of every other object in a
 * configuration.
 */
public abstract class NamedTypeIds extends TypeIdResolverBase {

    private final Map<String, Class<?>> names;
    private final Map<String, Class<?>> legacyClassNames;
    /** The declared type, such as FieldDefinition: Jackson hands it over in {@link #init}. */
    private JavaType baseType;

    /**
     * @param names            the project's types by logical name
     * @param legacyClassNames class names earlier releases wrote, by the class they mean now
     */
    protected NamedTypeIds(Map<String, Class<?>> names, Map<String, Class<?>> legacyClassNames) {
        this.names = Map.copyOf(names);
        this.legacyClassNames = Map.copyOf(legacyClassNames);
    }

    @Override
    public void init(JavaType baseType) {
        this.baseType = baseType;
    }

    @Override
    public String idFromValue(Object value) {
        return idFromValueAndType(value, value.getClass());
    }

    @Override
    public String idFromValueAndType(Object value, Class<?> type) {
        for (Map.Entry<String, Class<?>> e : names.entrySet()) {
            if (e.getValue().equals(type)) {
                return e.getKey();
            }
        }
        return type.getName();
    }

    @Override
    public JavaType typeFromId(DatabindContext context, String id) throws IOException {
        Class<?> type = names.get(id);
        if (type == null) {
            type = legacyClassNames.get(id);
        }
        if (type == null) {
            try {
                type = Class.forName(id, false, Thread.currentThread().getContextClassLoader() != null
                        ? Thread.currentThread().getContextClassLoader() : NamedTypeIds.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IOException("unknown " + baseType.getRawClass().getSimpleName() + " type '" + id
                        + "': expected one of " + names.keySet() + " or the class name of an implementation", e);
            }
        }
        if (!baseType.getRawClass().isAssignableFrom(type)) {
            throw new IOException("type '" + id + "' is not a " + baseType.getRawClass().getSimpleName());
        }
        return context.getTypeFactory().constructSpecializedType(baseType, type);
    }

    @Override
    public String getDescForKnownTypeIds() {
        return names.keySet().toString();
    }

    @Override
    public JsonTypeInfo.Id getMechanism() {
        return JsonTypeInfo.Id.CUSTOM;
    }
}
