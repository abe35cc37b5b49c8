// Prints every configuration key of the Flink on the classpath, one per line: the key of every
// public static ConfigOption field of Flink's option classes in the given lib/ directory, with
// its fallback and deprecated keys. jepsen-flink runs it once per distribution
// (java -cp 'lib/*' ListFlinkConfigKeys.java lib) to refuse --flink-config keys that Flink would
// silently ignore.
import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Enumeration;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;

public class ListFlinkConfigKeys {
  public static void main(String[] args) throws Exception {
    TreeSet<String> keys = new TreeSet<>();
    ClassLoader loader = ListFlinkConfigKeys.class.getClassLoader();
    File[] jars = new File(args[0]).listFiles((d, n) -> n.endsWith(".jar"));
    if (jars == null) throw new IllegalArgumentException("no jars in " + args[0]);
    for (File jar : jars) {
      try (JarFile jf = new JarFile(jar)) {
        for (Enumeration<JarEntry> e = jf.entries(); e.hasMoreElements(); ) {
          String name = e.nextElement().getName();
          if (!name.startsWith("org/apache/flink/") || !name.endsWith(".class")
              || name.contains("/shaded/") || name.contains("$")) {
            continue;
          }
          String simple = name.substring(name.lastIndexOf('/') + 1);
          if (!simple.contains("Option") && !simple.contains("Config")) continue;
          String cls = name.substring(0, name.length() - 6).replace('/', '.');
          try {
            Class<?> c = Class.forName(cls, false, loader);
            for (Field f : c.getDeclaredFields()) {
              int m = f.getModifiers();
              if (!Modifier.isStatic(m) || !ConfigOption.class.isAssignableFrom(f.getType())) {
                continue;
              }
              f.setAccessible(true);
              ConfigOption<?> o = (ConfigOption<?>) f.get(null);
              if (o == null) continue;
              keys.add(o.key());
              for (FallbackKey k : o.fallbackKeys()) keys.add(k.getKey());
            }
          } catch (Throwable t) {
            // Classes that cannot be loaded here (optional dependencies) hold no options we need.
          }
        }
      }
    }
    for (String k : keys) System.out.println(k);
  }
}
