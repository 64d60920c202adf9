# Colour in mfu report's text: on a terminal (a pseudo-terminal from script(1)) the warnings
# and the waterfall's low factors are coloured, and the text is the same as without colour;
# into a pipe or a file, with NO_COLOR set, or on TERM=dumb there is none.
. "$MFU_ROOT/tests/lib.sh"
command -v script > /dev/null || { echo "SKIP: no script(1) for a terminal (apt-get install util-linux)"; exit 77; }
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
model=(--layers 2 --hidden 256 --heads 4 --ffn 512 --vocab 1000 --batch 2 --seq 64)
traced "$example" "${model[@]}" --steps 6 --memory-bound-us 200 > /dev/null
# --batch 8: four times the traced batch, which the report warns about.
opts=(--layers 2 --hidden 256 --heads 4 --ffn 512 --vocab 1000 --batch 8 --seq 64 --attention full --peak-tflops 100)
on_tty() { # ENV...: mfu report on a terminal, carriage returns removed
  env "$@" script -qec "$MFU report traces ${opts[*]}" /dev/null < /dev/null | tr -d '\r'
}
esc=$(printf '\033')
on_tty TERM=xterm > tty.txt
grep -q "^${esc}\[1m${esc}\[33mwarnings${esc}\[0m$" tty.txt || fail "no coloured warnings on a terminal: $(cat -v tty.txt)"
grep -qE "^  memory +${esc}\[3[13]m +0\.[0-9]{4}${esc}\[0m " tty.txt ||
  fail "the memory factor planted low is not coloured: $(cat -v tty.txt)"
"$MFU" report traces "${opts[@]}" > pipe.txt
grep -q "$esc" pipe.txt && fail "colour into a pipe: $(cat -v pipe.txt)"
sed "s/${esc}\[[0-9;]*m//g" tty.txt > stripped.txt
diff pipe.txt stripped.txt > /dev/null || fail "colour changed the text: $(diff pipe.txt stripped.txt)"
for env in "NO_COLOR=1 TERM=xterm" "TERM=dumb"; do
  on_tty $env > plain.txt
  grep -q "$esc" plain.txt && fail "colour with $env: $(cat -v plain.txt)"
  diff pipe.txt plain.txt > /dev/null || fail "$env: the text differs: $(diff pipe.txt plain.txt)"
done
echo "ok: colour on a terminal only"
