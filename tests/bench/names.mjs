// What the browser benchmarks share: the seeded names, and quantiles.

export const SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤";
export const GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞斌辉浩凯健俊帆琳雪梅莉婷宁晨欣怡瑶琪璐颖鑫昊宇轩然博文彬";
/** The i-th seeded name: two or three characters, every one different. */
export function nameOf(i) {
  const s = SURNAMES[i % SURNAMES.length];
  const g1 = GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length];
  const g2 = GIVEN[Math.floor(i / (SURNAMES.length * GIVEN.length)) % GIVEN.length];
  return `${s}${g1}${g2}${i}`;
}

export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
