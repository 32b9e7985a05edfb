#!/bin/sh
# Issue 15's figure: the README's "Start your own city" steps, from an empty database to the first
# dispatch pack, with a 1,500-row ledger that has no code column and only planned start and
# completion dates (six districts, every 50th row naming a street office not yet in the
# organisation). Prints the seconds each step took. Usage: bench/day_one.sh [path/to/jianguan]
set -e
JG=${1:-target/release/jianguan}
JG=$(cd "$(dirname "$JG")" && pwd)/$(basename "$JG")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
python3 - <<'PY'
import random
r = random.Random(15)
ds = ["东湖区", "西山区", "南岭区", "北塘区", "中洲区", "临江县"]
org = ["单位名称,类型,上级单位", "城建分指挥部,分指挥部,", "市住建局,牵头单位,", "市城管局,牵头单位,"]
org += [f"{d},县区," for d in ds] + [f"{d}住建局,责任单位,{d}" for d in ds]
open("org.csv", "w", encoding="utf-8").write("\n".join(org) + "\n")
cats = ["老旧小区改造", "背街小巷整治", "公厕新建改造", "停车场建设", "邻里中心建设", "公园、绿道、邮票绿地",
        "农贸市场改造", "街景立面改造", "道路交通改善", "黑臭水体治理", "城中村整治"]
rows = ["项目名称,项目类别,所属县区,牵头单位,责任单位,总投资（万元）,计划开工时间,计划完工时间,建设内容,联系人,联系电话"]
for i in range(1500):
    d, c = ds[i % 6], cats[i % 11]
    u = f"{d}{'东西南北'[i % 4]}街道办事处" if i % 50 == 0 else f"{d}住建局"
    rows.append(f"{d}{c}第{i+1}号项目,\"{c}\",{d},市住建局,{u},{r.uniform(50, 3000):.2f},"
                f"2027-{r.randint(1, 5):02d}-{r.randint(1, 28):02d},2027/{r.randint(7, 12)}/{r.randint(1, 28)},"
                f"改造内容{i},张工,1380000{i:04d}")
open("ledger.csv", "w", encoding="utf-8").write("\n".join(rows) + "\n")
PY
# step LABEL COMMAND...: runs the command, prints its wall time and the label.
step() {
  label=$1; shift
  s=$(date +%s.%N); "$@" >>log.txt 2>&1; e=$(date +%s.%N)
  printf '%6.3f s  %s\n' "$(echo "$e - $s" | bc)" "$label"
}
T0=$(date +%s.%N)
step init "$JG" init --db city.db --city 某某市 --year 2027
step "org import" "$JG" org import --db city.db org.csv
step "import ledger --dry-run" "$JG" import ledger --db city.db ledger.csv --year 2027 --dry-run
step "import ledger" "$JG" import ledger --db city.db ledger.csv --year 2027
step "plan approve" "$JG" plan approve --db city.db --year 2027
echo 'Office#First-2027-ok' > pw1; echo 'Reporter#East-2027-ok' > pw2
step "user add (office)" sh -c "\"$JG\" user add --db city.db --username zhangsan --name 张三 --role hq_office --unit 1 < pw1"
step "user add --unit 东湖区住建局" sh -c "\"$JG\" user add --db city.db --username lisi --name 李四 --role unit_reporter --unit 东湖区住建局 < pw2"
step "dispatch --week 2027-W40" "$JG" dispatch --db city.db --week 2027-W40
printf '%6.3f s  in all\n' "$(echo "$(date +%s.%N) - $T0" | bc)"
grep -m1 "读取 1500 行" log.txt
