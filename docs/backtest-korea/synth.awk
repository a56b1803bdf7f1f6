# synth.awk: N rows in date order from the train+valid rows
BEGIN{FS=OFS=","; srand(42)}
FNR==1{ if (NR==1) header=$0; next }
{ pool[++np]=$0 }
END{
  print header; perday=2740; n=0
  split("31 28 31 30 31 30 31 31 30 31 30 31", ml, " "); y=2010; m=1; dd=1
  while (n < N) {
    date=sprintf("%04d-%02d-%02d", y, m, dd)
    for (i=0; i<perday && n<N; i++) {
      split(pool[1+int(rand()*np)], f, ","); f[1]=n+1; f[2]=date
      k=int(rand()*50); f[10]=f[10] k; f[11]=f[11] k
      f[20]=sprintf("%.2f", f[20]*(0.8+0.4*rand()))
      line=f[1]; for(j=2;j<=22;j++) line=line OFS f[j]; print line; n++
    }
    dd++; lim=(m==2)?((y%4==0)?29:28):ml[m]; if (dd>lim) {dd=1; m++; if (m>12){m=1;y++}}
  }
}
