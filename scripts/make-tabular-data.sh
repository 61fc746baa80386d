#!/usr/bin/env bash
# Regenerates data/iris, data/wine, data/breast-cancer and data/diabetes from the Debian package python3-sklearn
# 1.2.1+dfsg-1 (bookworm). The .deb is downloaded and unpacked with `dpkg -x`; nothing is installed. Needs apt-get
# (after an `apt-get update`), dpkg, awk, gzip and sha256sum.
# scikit-learn's files start with a line "n_samples,n_features,class names…" and give classes as integers; each CSV
# here gets a header of column names (from the package's descr/*.rst) and the class names as text in the last column.
# Diabetes is the raw (unscaled) table diabetes_data_raw.csv.gz with its target diabetes_target.csv.gz as a last column.
# apt-get may warn that the download runs "unsandboxed as root"; that is harmless.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download -q python3-sklearn=1.2.1+dfsg-1 >/dev/null
sha256sum -c - <<'SHA'
ca0c6be401d14871c7e93cfdd8d1f561595dc65e6e2ad2501d568aee7f7efc58  python3-sklearn_1.2.1+dfsg-1_all.deb
SHA
dpkg -x python3-sklearn_1.2.1+dfsg-1_all.deb x
src=x/usr/lib/python3/dist-packages/sklearn/datasets/data

# with_names HEADER: replaces the first line by HEADER and the last column's class index k by the (k+3)-th field of
# scikit-learn's first line (its class names).
with_names() {
  awk -F, -v header="$1" 'NR == 1 { for (i = 3; i <= NF; i++) name[i - 3] = $i; print header; next }
    { $NF = name[$NF]; print }' OFS=, | tr -d '\r'
}
with_names "sepal_length,sepal_width,petal_length,petal_width,species" < "$src/iris.csv" > iris.csv
with_names "alcohol,malic_acid,ash,alcalinity_of_ash,magnesium,total_phenols,flavanoids,nonflavanoid_phenols,proanthocyanins,color_intensity,hue,od280_od315,proline,class" \
  < "$src/wine_data.csv" > wine.csv
bc=""
for stat in mean se worst; do
  for f in radius texture perimeter area smoothness compactness concavity concave_points symmetry fractal_dimension; do
    bc="$bc${f}_$stat,"
  done
done
with_names "${bc}diagnosis" < "$src/breast_cancer.csv" > breast-cancer.csv
{ echo "age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,progression"
  paste -d ' ' <(gzip -dc "$src/diabetes_data_raw.csv.gz") <(gzip -dc "$src/diabetes_target.csv.gz" | awk '{ printf "%g\n", $1 }') \
    | awk '{ $1 = $1; print }' OFS=, ; } > diabetes.csv
for set in iris wine breast-cancer diabetes; do
  mkdir -p "$root/data/$set"
  cp "$set.csv" "$root/data/$set/$set.csv"
  (cd "$root/data/$set" && sha256sum "$set.csv" > SHA256SUMS && cat SHA256SUMS)
done
# The CSVs as first made.
(cd "$root/data" && sha256sum -c - <<'SHA'
9cc1c345c71bcc9b486b74cbf6063fa66f4bb5e0f603a4b3c3471ec2e5e8e355  iris/iris.csv
0c261a81d5f16dc278d94012e8a23f9ae1cc2e942f2a7997a76e3477d35010c3  wine/wine.csv
75b8021d12b47399e50ab6ca4fbc11a8435f91540ecb6bb2434de557a5049510  breast-cancer/breast-cancer.csv
731c91514b20f51185739fd2533cde9eccd1c61b16c2aba62d9c8082a9151d4f  diabetes/diabetes.csv
SHA
)
