# Spread workload: claims/s by client count, one line per strategy.
# usage: gnuplot -e "datafile='plot.tsv'; outfile='bench-spread.png'; ncols=N; subtitle='...'" bench/plot.gp
# datafile: tab-separated, header "clients<TAB>strategy...", NaN where a run is missing.
set terminal pngcairo size 960,600 enhanced font "sans,11"
set output outfile
set datafile separator "\t"
set datafile missing "NaN"
set title "Spread: claims/s while the event is fresh (first tenth sold), synchronous\\_commit on\n{/*0.8 ".subtitle."}"
set xlabel "concurrent clients"
set ylabel "tickets claimed per second"
set logscale x 2
set xtics ("1" 1, "4" 4, "16" 16, "64" 64, "128" 128)
set xrange [0.8:160]
set yrange [0:*]
set format y "%.0f"
set grid xtics ytics
set key outside right top
plot for [i=2:ncols] datafile using 1:i with linespoints lw 2 pt 7 ps 1.2 title columnheader(i) noenhanced
