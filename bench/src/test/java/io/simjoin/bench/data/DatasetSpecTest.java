package io.simjoin.bench.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.bench.data.SyntheticData.Kind;
import io.simjoin.bench.data.SyntheticData.Role;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DatasetSpecTest {

  @Test
  void parsesSyntheticSpecs() throws Exception {
    DatasetSpec spec = DatasetSpec.parse("synthetic:clustered:n=1_000,d=64,seed=1");
    assertThat(spec).isEqualTo(new DatasetSpec.Synthetic(Kind.CLUSTERED, 1000, 64, 1));
    assertThat(spec.kind()).isEqualTo("clustered");
    assertThat(spec.toString()).isEqualTo("synthetic:clustered:n=1000,d=64,seed=1");
    assertThat(DatasetSpec.parse("synthetic:gauss:seed=-3,d=2,n=5"))
        .isEqualTo(new DatasetSpec.Synthetic(Kind.GAUSS, 5, 2, -3));
    VectorSet v = DatasetSpec.parse("synthetic:spectral:n=10,d=3,seed=2").load(Role.QUERIES);
    assertThat(v.n()).isEqualTo(10);
    assertThat(v.d()).isEqualTo(3);
  }

  @Test
  void parsesFvecsPaths() {
    assertThat(DatasetSpec.parse("data/sift_base.fvecs"))
        .isEqualTo(new DatasetSpec.FvecsFile(Path.of("data/sift_base.fvecs")));
    assertThat(DatasetSpec.parse("/abs/X.FVECS").kind()).isEqualTo("fvecs");
  }

  @Test
  void rejectsWhatItCannotReadSayingWhatIsAccepted() {
    assertThatThrownBy(() -> DatasetSpec.parse("synthetic:uniform:n=1,d=1,seed=1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown synthetic kind 'uniform'")
        .hasMessageContaining("gauss, mf, clustered, spectral");
    assertThatThrownBy(() -> DatasetSpec.parse("synthetic:mf:n=1,d=1,seed=1,k=3"))
        .hasMessageContaining("unknown parameter 'k=3'")
        .hasMessageContaining("n=N,d=D,seed=S");
    assertThatThrownBy(() -> DatasetSpec.parse("synthetic:mf:n=1,d=1"))
        .hasMessageContaining("lacks seed=");
    assertThatThrownBy(() -> DatasetSpec.parse("synthetic:mf"))
        .hasMessageContaining("synthetic:KIND:n=N,d=D,seed=S");
    assertThatThrownBy(() -> DatasetSpec.parse("synthetic:mf:n=x,d=1,seed=1"))
        .hasMessageContaining("integer");
    assertThatThrownBy(() -> DatasetSpec.parse("synthetic:mf:n=1,n=2,d=1,seed=1"))
        .hasMessageContaining("repeated");
    assertThatThrownBy(() -> DatasetSpec.parse("synthetic:mf:n=0,d=1,seed=1"))
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> DatasetSpec.parse("synthetic:mf:n=100000000,d=100,seed=1"))
        .hasMessageContaining("2^31");
    assertThatThrownBy(() -> DatasetSpec.parse("base.bin"))
        .hasMessageContaining("a path to a .fvecs file or synthetic:KIND");
  }
}
